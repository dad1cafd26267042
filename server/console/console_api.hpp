// The web console (docs/console.md): its pages under /console/ and its JSON API
// under /console/api/, for one account (cdn id and secret) or the operator
// (--console-admin-token).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "core/records.hpp"
#include "legacy/commands/config.hpp"
#include "store/store.hpp"

namespace sevu {

namespace console {
struct Viewer;
}  // namespace console

struct ConsoleConfig {
  std::string admin_token;       // the operator's login; empty: none
  int64_t session_ttl = 28800;   // seconds a login lasts
  bool secure_cookie = false;    // the public listener speaks TLS: the cookie says Secure
  LegacyConfig legacy;           // stream users' URLs, shown as the legacy API shows them
};

class ConsoleApi {
 public:
  // Told of the viewing sessions a request ended, once the store has them and
  // before the answer goes (as V2Api::SessionsEnded); on the store worker.
  using SessionsEnded = std::function<void(const std::vector<ViewingSession>&)>;

  ConsoleApi(const Clock& clock, ErrorSink& errors, ConsoleConfig config,
             SessionsEnded sessions_ended = {});

  // /console and /console/ (but /console/api/): the pages, from memory. Any
  // thread; never blocks.
  static bool is_page(std::string_view path);
  HttpResponse page(const HttpRequest& req) const;

  // /console/api/…: runs on a store worker.
  static bool is_api(std::string_view path);
  HttpResponse handle(const HttpRequest& req, Store& store);
  // Whether the request may change tickets or stream users (what the usher
  // remembers of them must then be dropped): an action on either.
  static bool may_change_tickets(const HttpRequest& req);

 private:
  HttpResponse route(const HttpRequest& req, Store& store);
  HttpResponse login(const HttpRequest& req, Store& store);
  // The login behind the request's cookie; else throws 401.
  console::Viewer logged_in(const HttpRequest& req, Store& store) const;

  const Clock& clock_;
  ErrorSink& errors_;
  ConsoleConfig config_;
  SessionsEnded sessions_ended_;
};

}  // namespace sevu

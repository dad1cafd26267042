// The hook listener's /hooks/* routes: how media servers ask the usher (docs/hooks.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"

namespace sevu {

struct HookConfig {
  std::string token;  // when set, every call must carry it (query token= or X-Sevu-Hook-Token)
  std::string server_name = "sevu";      // logged as the attempt's server
  int64_t session_idle = 60;             // HTTP streaming session window, seconds
  std::size_t hash_workers = 1;          // threads verifying publish passwords (--hash-workers)
  int64_t publish_fail_delay_ms = 4000;  // longest delay of a refused publish; 0 = none
};

class HookApi {
 public:
  // `stores` takes a publish's second store step (logging, after its password
  // was verified off the store workers); on_error hears of the internal errors
  // met there, where no caller is left to catch them.
  HookApi(const Clock& clock, HookConfig config, StorePool& stores,
          std::function<void(const std::exception&)> on_error = {});
  ~HookApi();
  HookApi(const HookApi&) = delete;
  HookApi& operator=(const HookApi&) = delete;

  // On the io thread, before any store work: token check and cheap rejections
  // (unknown route 404, wrong method 405, bad token 401). nullopt = go on to handle().
  std::optional<HttpResponse> precheck(const HttpRequest& req) const;

  // The hook token check alone, for every route the token guards (/hooks/*,
  // /test/*): 401 when a token is configured and the request lacks it.
  std::optional<HttpResponse> check_token(const HttpRequest& req) const;

  // Runs on a store worker: decode the media server's request, decide (spending a
  // use atomically when it is a start), log the attempt, answer in its wire format
  // through respond: at once, or later from another thread for a publish.
  // Throws only before it has used respond.
  void handle(const HttpRequest& req, Store& store, Responder respond);

 private:
  struct Impl;  // the HTTP session table and the publish flow (hook_api.cpp)
  bool token_ok(const HttpRequest& req) const;

  const Clock& clock_;
  HookConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sevu

// The hook listener's /hooks/* routes: how media servers ask the usher (docs/hooks.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace sevu {

struct HookConfig {
  std::string token;  // when set, every call must carry it (query token= or X-Sevu-Hook-Token)
  std::string server_name = "sevu";  // logged as the attempt's server
  int64_t session_idle = 60;         // HTTP streaming session window, seconds
};

class HookApi {
 public:
  HookApi(const Clock& clock, HookConfig config);
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
  // use atomically when it is a start), log the attempt, answer in its wire format.
  HttpResponse handle(const HttpRequest& req, Store& store);

 private:
  struct Impl;  // the HTTP session table (hook_api.cpp)
  bool token_ok(const HttpRequest& req) const;

  const Clock& clock_;
  HookConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sevu

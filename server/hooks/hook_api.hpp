// The hook listener's /hooks/* routes: how media servers ask the usher
// (docs/hooks.md). One table maps each route to its adapter; the adapter
// decodes the media server's request into an UsherRequest, the usher service
// decides, and the adapter's encoder answers in that media server's format.
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "usher_service/usher_service.hpp"

namespace sevu {

struct HookConfig {
  std::string token;       // when set, every call must carry it (query token= or X-Sevu-Hook-Token)
  std::string ome_secret;  // OvenMediaEngine's SecretKey; /hooks/ome refuses every call without it
  // The OME peers whose client.real_ip is the viewer's address: an ip list (empty:
  // every peer) or "none" (hooks/ome.hpp, OmeCall::client_ip).
  std::string ome_real_ip_from;
};

class HookApi {
 public:
  // clock: the one the usher decides by, for answers that count from ticket time.
  HookApi(HookConfig config, UsherService& usher, ErrorSink& errors, const Clock& clock);

  // On the io thread: the token, the route (404), the method (405), decoding;
  // then the usher decides off the io thread and respond hears its answer,
  // exactly once, from whichever thread decided. The request's on_own_thread
  // moves on to the usher.
  void handle(HttpRequest&& req, Responder respond);

  // The hook token check alone, for every route the token guards (/hooks/*,
  // /test/*): 401 when a token is configured and the request lacks it.
  std::optional<HttpResponse> check_token(const HttpRequest& req) const;

 private:
  bool token_ok(const HttpRequest& req) const;

  HookConfig config_;
  UsherService& usher_;
  ErrorSink& errors_;
  const Clock& clock_;
};

}  // namespace sevu

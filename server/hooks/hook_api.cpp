// Routing of the /hooks/* calls and the shared token (docs/hooks.md).
#include "hooks/hook_api.hpp"

#include <string_view>
#include <utility>

#include "auth/crypto.hpp"
#include "core/query_string.hpp"
#include "hooks/auth_request.hpp"
#include "hooks/generic_check.hpp"
#include "hooks/hook_call.hpp"
#include "hooks/mediamtx.hpp"
#include "hooks/nginx_rtmp.hpp"
#include "hooks/ome.hpp"
#include "hooks/srs.hpp"
#include "hooks/wire_fields.hpp"

namespace sevu {

namespace {

using Adapter = hooks::HookCall (*)(const HttpRequest&, const HookConfig&);
// A media server's own proof that the call is its (past the hook token): the
// refusal, or nullopt.
using Guard = std::optional<HttpResponse> (*)(const HttpRequest&, const HookConfig&);

struct Route {
  std::string_view path;
  std::string_view method;  // the one the media server uses
  Adapter adapter;
  Guard guard = nullptr;
};

std::optional<HttpResponse> ome_signed(const HttpRequest& req, const HookConfig& config) {
  return hooks::ome_signature_refusal(req, config.ome_secret);
}

// An adapter that reads nothing of the configuration.
template <hooks::HookCall (*call)(const HttpRequest&)>
hooks::HookCall unconfigured(const HttpRequest& req, const HookConfig&) {
  return call(req);
}

hooks::HookCall ome(const HttpRequest& req, const HookConfig& config) {
  return hooks::ome_call(req, config.ome_real_ip_from);
}

constexpr Route kRoutes[] = {
    {"/hooks/nginx-rtmp", "POST", unconfigured<hooks::nginx_rtmp_call>},
    {"/hooks/auth-request", "GET", unconfigured<hooks::auth_request_call>},
    {"/hooks/srs", "POST", unconfigured<hooks::srs_call>},
    {"/hooks/mediamtx", "POST", unconfigured<hooks::mediamtx_call>},
    {"/hooks/check", "POST", unconfigured<hooks::generic_check_call>},
    {"/hooks/ome", "POST", ome, ome_signed},
};

const Route* find_route(std::string_view path) {
  for (const auto& r : kRoutes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

HttpResponse wrong_method(const Route& r) {
  return method_not_allowed(r.method, "this hook takes " + std::string(r.method));
}

}  // namespace

HookApi::HookApi(HookConfig config, UsherService& usher, ErrorSink& errors, const Clock& clock)
    : config_(std::move(config)), usher_(usher), errors_(errors), clock_(clock) {}

// Either place carrying the token is enough (docs/hooks.md): a stale header left by a
// proxy does not void a right token in the hook URL, nor the other way round.
bool HookApi::token_ok(const HttpRequest& req) const {
  if (config_.token.empty()) return true;
  auto header = req.header("X-Sevu-Hook-Token");
  if (header && constant_time_equal(*header, config_.token)) return true;
  auto query = parse_query(req.query());
  if (!query) return false;
  auto given = hooks::first_value(*query, "token");
  return given && constant_time_equal(*given, config_.token);
}

std::optional<HttpResponse> HookApi::check_token(const HttpRequest& req) const {
  if (token_ok(req)) return std::nullopt;
  return json_error(401, "UNAUTHORIZED", "hook token missing or wrong");
}

void HookApi::handle(HttpRequest&& req, Responder respond) {
  // The token first: without it, a caller learns nothing, not even which routes exist.
  if (auto denied = check_token(req)) return respond(std::move(*denied));
  const Route* route = find_route(req.path());
  if (route == nullptr) return respond(json_error(404, "NOT_FOUND", "no such hook"));
  // HEAD is answered as GET: handy for probing auth-request by hand.
  if (req.routed_method() != route->method) return respond(wrong_method(*route));
  if (route->guard) {
    if (auto refused = route->guard(req, config_)) return respond(std::move(*refused));
  }

  hooks::HookCall call = route->adapter(req, config_);
  if (call.answer) return respond(std::move(*call.answer));
  call.request.on_own_thread = std::move(req.on_own_thread);  // a copy would allocate
  const hooks::EncodeDecision encode = call.encode;
  const hooks::EncodeDecisionAt encode_at = call.encode_at;
  usher_.decide(std::move(call.request),
                [this, encode, encode_at, route, respond = std::move(respond)](UsherDecision d) {
                  if (d.decided())
                    return respond(encode_at ? encode_at(d, clock_.now()) : encode(d));
                  // A media server must never read "busy" as "allowed": 503 and 500
                  // deny in every hook protocol.
                  if (d.status == UsherDecision::Status::kBusy)
                    return respond(json_error(503, "BUSY", "server busy, try again"));
                  errors_.report("hook " + std::string(route->path), d.failure);
                  if (d.status == UsherDecision::Status::kUnavailable)
                    return respond(json_error(503, "UNAVAILABLE", "store unavailable, try again"));
                  respond(json_error(500, "INTERNAL", "internal error"));
                });
}

}  // namespace sevu

// Routing of the /hooks/* calls and the shared token (docs/hooks.md).
#include "hooks/hook_api.hpp"

#include <string_view>

#include "auth/crypto.hpp"
#include "core/query_string.hpp"
#include "hooks/auth_request.hpp"
#include "hooks/form_fields.hpp"
#include "hooks/generic_check.hpp"
#include "hooks/hook_context.hpp"
#include "hooks/http_sessions.hpp"
#include "hooks/mediamtx.hpp"
#include "hooks/nginx_rtmp.hpp"
#include "hooks/publish_flow.hpp"
#include "hooks/srs.hpp"

namespace sevu {

namespace {

using Adapter = hooks::HookReply (*)(const HttpRequest&, Store&, const hooks::HookContext&);

// auth_request never publishes: its answer is always immediate.
hooks::HookReply auth_request(const HttpRequest& req, Store& store, const hooks::HookContext& ctx) {
  return hooks::handle_auth_request(req, store, ctx);
}

struct Route {
  std::string_view path;
  std::string_view method;  // the one the media server uses
  Adapter adapter;
};

constexpr Route kRoutes[] = {
    {"/hooks/nginx-rtmp", "POST", hooks::handle_nginx_rtmp},
    {"/hooks/auth-request", "GET", auth_request},
    {"/hooks/srs", "POST", hooks::handle_srs},
    {"/hooks/mediamtx", "POST", hooks::handle_mediamtx},
    {"/hooks/check", "POST", hooks::handle_generic_check},
};

const Route* find_route(std::string_view path) {
  for (const auto& r : kRoutes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

// HEAD is GET without a body: handy for probing auth-request by hand.
bool method_fits(const Route& r, std::string_view method) {
  return method == r.method || (r.method == "GET" && method == "HEAD");
}

}  // namespace

struct HookApi::Impl {
  Impl(const HookConfig& config, StorePool& stores,
       std::function<void(const std::exception&)> on_error)
      : sessions(config.session_idle),
        publishes(stores, publish_limits(config), std::move(on_error)) {}

  static hooks::PublishLimits publish_limits(const HookConfig& config) {
    hooks::PublishLimits limits;
    limits.hash_workers = config.hash_workers;
    limits.max_fail_delay = std::chrono::milliseconds(config.publish_fail_delay_ms);
    return limits;
  }

  hooks::HttpSessions sessions;
  hooks::PublishFlow publishes;
};

HookApi::HookApi(const Clock& clock, HookConfig config, StorePool& stores,
                 std::function<void(const std::exception&)> on_error)
    : clock_(clock),
      config_(std::move(config)),
      impl_(std::make_unique<Impl>(config_, stores, std::move(on_error))) {}

HookApi::~HookApi() = default;

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

std::optional<HttpResponse> HookApi::precheck(const HttpRequest& req) const {
  // The token first: without it, a caller learns nothing, not even which routes exist.
  if (auto denied = check_token(req)) return denied;
  const Route* route = find_route(req.path());
  if (route == nullptr) return json_error(404, "NOT_FOUND", "no such hook");
  if (!method_fits(*route, req.method)) {
    HttpResponse r =
        json_error(405, "METHOD_NOT_ALLOWED", "this hook takes " + std::string(route->method));
    r.headers.emplace_back("Allow", std::string(route->method));
    return r;
  }
  return std::nullopt;
}

void HookApi::handle(const HttpRequest& req, Store& store, Responder respond) {
  if (auto early = precheck(req)) return respond(std::move(*early));
  const Route* route = find_route(req.path());
  hooks::HookContext ctx{clock_, config_, impl_->sessions};
  hooks::HookReply reply = route->adapter(req, store, ctx);
  if (reply.publish)
    return impl_->publishes.start(store, std::move(*reply.publish), std::move(respond));
  respond(std::move(*reply.response));
}

}  // namespace sevu

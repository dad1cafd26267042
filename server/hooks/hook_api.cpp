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
#include "hooks/srs.hpp"

namespace sevu {

namespace {

using Adapter = HttpResponse (*)(const HttpRequest&, Store&, const hooks::HookContext&);

struct Route {
  std::string_view path;
  std::string_view method;  // the one the media server uses
  Adapter adapter;
};

constexpr Route kRoutes[] = {
    {"/hooks/nginx-rtmp", "POST", hooks::handle_nginx_rtmp},
    {"/hooks/auth-request", "GET", hooks::handle_auth_request},
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
  explicit Impl(int64_t session_idle) : sessions(session_idle) {}
  hooks::HttpSessions sessions;
};

HookApi::HookApi(const Clock& clock, HookConfig config)
    : clock_(clock),
      config_(std::move(config)),
      impl_(std::make_unique<Impl>(config_.session_idle)) {}

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

HttpResponse HookApi::handle(const HttpRequest& req, Store& store) {
  if (auto early = precheck(req)) return std::move(*early);
  const Route* route = find_route(req.path());
  hooks::HookContext ctx{clock_, config_, impl_->sessions};
  return route->adapter(req, store, ctx);
}

}  // namespace sevu

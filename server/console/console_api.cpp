// Routing for /console/api/: the login, the session behind the cookie, the CSRF
// check, then the route (docs/console.md).
#include "console/console_api.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/crypto.hpp"
#include "console/context.hpp"
#include "console/login_token.hpp"
#include "console/routes.hpp"
#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"

namespace sevu {

namespace {

using console::Context;
using console::Viewer;

constexpr std::string_view kApiPrefix = "/console/api/";
// Expired logins deleted at each login: bounded work, and never a pile-up.
constexpr int64_t kExpiredSweep = 100;

v2::V2Error unauthorized() {
  // No WWW-Authenticate: a browser would answer it with its own login box.
  return v2::V2Error(401, v2::code::kUnauthorized, "log in first");
}

HttpResponse route_tickets(const Context& c, const std::vector<std::string>& s,
                           std::string_view m) {
  if (s.size() == 1) {
    if (m == "GET") return console::list_tickets(c);
    if (m == "POST") return console::create_ticket(c);
    throw v2::method_not_allowed("GET, POST");
  }
  const std::string& key = s[1];
  if (s.size() == 2) {
    if (m == "GET") return console::get_ticket(c, key);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 3 && s[2] == "revoke") {
    if (m == "POST") return console::revoke_ticket(c, key);
    throw v2::method_not_allowed("POST");
  }
  if (s.size() == 3 && s[2] == "attempts") {
    if (m == "GET") return console::ticket_attempts(c, key);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 3 && s[2] == "sessions") {
    if (m == "GET") return console::list_sessions(c, key);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 4 && s[2] == "sessions") {
    if (m == "DELETE") return console::end_session(c, key, s[3]);
    throw v2::method_not_allowed("DELETE");
  }
  if (s.size() == 3 && s[2] == "limits") {
    if (m == "PUT") return console::put_limits(c, key);
    throw v2::method_not_allowed("PUT");
  }
  throw v2::not_found("no such route");
}

HttpResponse route_stream_users(const Context& c, const std::vector<std::string>& s,
                                std::string_view m) {
  if (s.size() == 1) {
    if (m == "GET") return console::list_stream_users(c);
    if (m == "POST") return console::add_stream_user(c);
    throw v2::method_not_allowed("GET, POST");
  }
  if (s.size() == 2) {
    if (m == "PUT") return console::update_stream_user(c, s[1]);
    if (m == "DELETE") return console::remove_stream_user(c, s[1]);
    throw v2::method_not_allowed("PUT, DELETE");
  }
  throw v2::not_found("no such route");
}

HttpResponse dispatch(const Context& c, const std::vector<std::string>& s) {
  const std::string_view m = c.req.routed_method();
  const std::string& first = s[0];
  if (s.size() == 1 && first == "me") {
    if (m == "GET") return console::me(c);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 1 && first == "logout") {
    if (m == "POST") return console::logout(c);
    throw v2::method_not_allowed("POST");
  }
  if (s.size() == 1 && first == "accounts") {
    if (m == "GET") return console::accounts(c);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 1 && first == "attempts") {
    if (m == "GET") return console::attempts(c);
    throw v2::method_not_allowed("GET");
  }
  if (s.size() == 1 && first == "timeline") {
    if (m == "GET") return console::timeline(c);
    throw v2::method_not_allowed("GET");
  }
  if (first == "tickets") return route_tickets(c, s, m);
  if (first == "stream-users") return route_stream_users(c, s, m);
  throw v2::not_found("no such route");
}

// The account named by the login body, if its secret is right and it is active.
std::optional<Account> account_login(const rapidjson::Value& body, Store& store) {
  const auto id = body.FindMember("cdn_id");
  const auto secret = body.FindMember("secret");
  if (id == body.MemberEnd() || secret == body.MemberEnd())
    throw v2::bad_request(v2::code::kRequiredField,
                          "give cdn_id and secret, or admin_token", "cdn_id");
  if (!secret->value.IsString())
    throw v2::bad_request(v2::code::kTypeMismatch, "secret must be a string", "secret");
  std::optional<int64_t> cdn_id;
  if (id->value.IsInt64()) cdn_id = id->value.GetInt64();
  if (id->value.IsString()) cdn_id = parse_decimal(id->value.GetString());
  std::optional<Account> account;
  if (cdn_id && *cdn_id > 0) account = store.account(*cdn_id);
  // Compared even for an unknown id, so the answer takes the same time.
  static const std::string kNoSecret(64, '0');
  const bool ok = constant_time_equal(
      std::string_view(secret->value.GetString(), secret->value.GetStringLength()),
      account ? account->secret : kNoSecret);
  if (!account || !ok || !account->active) return std::nullopt;
  return account;
}

}  // namespace

ConsoleApi::ConsoleApi(const Clock& clock, ErrorSink& errors, ConsoleConfig config,
                       SessionsEnded sessions_ended)
    : clock_(clock),
      errors_(errors),
      config_(std::move(config)),
      sessions_ended_(std::move(sessions_ended)) {}

bool ConsoleApi::is_api(std::string_view path) {
  return path.substr(0, kApiPrefix.size()) == kApiPrefix;
}

bool ConsoleApi::may_change_tickets(const HttpRequest& req) {
  if (is_read_method(req.method)) return false;
  const std::string_view path = req.path();
  return path.substr(0, 20) == "/console/api/tickets" ||
         path.substr(0, 25) == "/console/api/stream-users";
}

HttpResponse ConsoleApi::handle(const HttpRequest& req, Store& store) {
  HttpResponse answer;
  try {
    answer = route(req, store);
  } catch (const v2::V2Error& e) {
    if (e.status >= 500)
      errors_.report("console " + req.method + " " + std::string(req.path()), e.what());
    answer = v2::error_response(e);
  }
  answer.headers.emplace_back("Cache-Control", "no-store");
  answer.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return answer;
}

HttpResponse ConsoleApi::route(const HttpRequest& req, Store& store) {
  if (req.path() == std::string(kApiPrefix) + "login") {
    if (req.method != "POST") throw v2::method_not_allowed("POST");
    return login(req, store);
  }
  // The login first: without one, not even which routes exist is answered.
  const Viewer viewer = logged_in(req, store);
  auto s = path_segments(req.path(), kApiPrefix);
  if (!s) throw v2::not_found("no such route");
  if (!is_read_method(req.method)) {
    const auto sent = req.header(console::kCsrfHeader);
    if (!sent || !constant_time_equal(*sent, console::csrf_token(viewer.token)))
      throw v2::V2Error(403, "CSRF", "missing or wrong " + std::string(console::kCsrfHeader));
  }
  // Refused on every route, also those that read no body (docs/decisions.md).
  if (nested_too_deep(req.body)) throw v2::bad_request(v2::code::kInvalidJson, json_too_deep());
  std::vector<ViewingSession> ended;
  const Context context{req, store, config_, viewer, clock_.now(), ended};
  HttpResponse answer = dispatch(context, *s);
  if (!ended.empty() && sessions_ended_) sessions_ended_(ended);
  return answer;
}

console::Viewer ConsoleApi::logged_in(const HttpRequest& req, Store& store) const {
  const auto cookies = req.header("Cookie");
  if (!cookies) throw unauthorized();
  auto token = console::cookie_value(*cookies, console::kCookieName);
  if (!token) throw unauthorized();
  Viewer v;
  v.stored = console::token_hash(*token);
  auto session = store.console_session(v.stored);
  if (!session && !config_.admin_token.empty()) {
    // An operator login ends with the admin token it was made with.
    v.stored = console::operator_token_hash(*token, config_.admin_token);
    session = store.console_session(v.stored);
    if (session && session->cdn_id != 0) session.reset();
  }
  if (!session || session->expires <= clock_.now()) throw unauthorized();
  v.token = std::move(*token);
  v.expires = session->expires;
  if (session->cdn_id == 0) {
    if (v.stored == console::token_hash(v.token)) throw unauthorized();  // not made with a token
    return v;
  }
  v.account = store.account(session->cdn_id);
  if (!v.account || !v.account->active) throw unauthorized();
  return v;
}

HttpResponse ConsoleApi::login(const HttpRequest& req, Store& store) {
  std::vector<ViewingSession> none;
  const Viewer nobody;
  const Context c{req, store, config_, nobody, clock_.now(), none};
  JsonDocument body;
  console::read_body(c, body);

  console::only_members(body, {"cdn_id", "secret", "admin_token"});
  // One form or the other: right account credentials beside a wrong token
  // must not fail for a reason the page cannot show.
  if (body.HasMember("admin_token") && (body.HasMember("cdn_id") || body.HasMember("secret")))
    throw v2::bad_request(v2::code::kInvalidValue,
                          "give cdn_id and secret, or admin_token, not both", "admin_token");
  Viewer v;
  if (const auto admin = body.FindMember("admin_token"); admin != body.MemberEnd()) {
    // Without a configured token nothing matches, not even an empty one.
    const bool ok = admin->value.IsString() && !config_.admin_token.empty() &&
                    constant_time_equal(std::string_view(admin->value.GetString(),
                                                         admin->value.GetStringLength()),
                                        config_.admin_token);
    if (!ok) throw unauthorized();
  } else {
    v.account = account_login(body, store);
    if (!v.account) throw unauthorized();
  }
  v.token = console::new_login_token();
  v.stored = v.account ? console::token_hash(v.token)
                       : console::operator_token_hash(v.token, config_.admin_token);
  v.expires = c.now + config_.session_ttl;
  store.delete_expired_console_sessions(c.now, kExpiredSweep);
  store.insert_console_session(
      ConsoleSession{v.stored, v.account ? v.account->cdn_id : 0, c.now, v.expires});
  const Context logged{req, store, config_, v, c.now, none};
  HttpResponse r = console::me(logged);
  r.headers.emplace_back("Set-Cookie", console::login_cookie(v.token, config_.session_ttl,
                                                             config_.secure_cookie));
  return r;
}

}  // namespace sevu

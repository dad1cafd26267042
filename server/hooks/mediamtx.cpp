#include "hooks/mediamtx.hpp"

#include "hooks/form_fields.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/log_text.hpp"
#include "hooks/publish_gate.hpp"
#include "hooks/session_gate.hpp"

namespace sevu::hooks {

std::optional<MediaMtxCall> decode_mediamtx(std::string_view body, std::string& problem) {
  MediaMtxCall c;
  std::string user, password;
  if (!read_json_strings(body,
                         {{"action", &c.action},
                          {"ip", &c.ip},
                          {"path", &c.path},
                          {"protocol", &c.protocol},
                          {"query", &c.query},
                          {"user", &user},
                          {"password", &password}},
                         problem))
    return std::nullopt;
  if (c.action.empty()) {
    problem = "action: required";
    return std::nullopt;
  }

  std::string_view path = c.path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  auto slash = path.find('/');
  c.app = std::string(path.substr(0, slash));
  c.video = slash == std::string_view::npos ? "" : std::string(path.substr(slash + 1));

  auto args = parse_query_text(c.query);
  if (!args) {
    problem = "query: malformed";
    return std::nullopt;
  }
  const bool has_login = !user.empty() && !password.empty();
  if (c.action == "publish") {
    c.user = has_login ? std::optional(user) : first_value(*args, "user");
    c.pass = has_login ? std::optional(password) : first_value(*args, "pass");
  } else {
    c.key = has_login ? std::optional(user) : first_value(*args, "key");
    c.pass = has_login ? std::optional(password) : first_value(*args, "pass");
  }
  return c;
}

HookReply handle_mediamtx(const HttpRequest& req, Store& store, const HookContext& ctx) {
  std::string problem;
  auto call = decode_mediamtx(req.body, problem);
  if (!call) return malformed(problem);
  const MediaMtxCall& c = *call;
  const int64_t now = ctx.clock.now();

  if (c.action == "read" || c.action == "playback") {
    PlayAttempt a;
    a.key = c.key.value_or("");
    a.pass = c.pass.value_or("");
    a.ip = c.ip;
    a.app = c.app;
    a.video = c.video;
    a.appinst = c.action;
    // MediaMTX asks again for every HLS/WebRTC request and for RTSP DESCRIBE
    // and PLAY alike, so one viewing is a session: only its first ask spends a use.
    GateResult r = view_in_session(store, ctx.sessions, a, now, ctx.config.server_name);
    return decision_reply(r.allowed ? 200 : 401, r);
  }
  if (c.action == "publish") {
    return PublishCall{
        PublishAttempt{c.app, c.video, c.user, c.pass, c.ip, "", ""}, now, ctx.config.server_name,
        true, [](const GateResult& r) { return decision_reply(r.allowed ? 200 : 401, r); }};
  }
  // api, metrics, pprof and anything newer: never through a viewer's ticket.
  GateResult refused;
  refused.reason = "Action not allowed: " + loggable(c.action, 64);
  return decision_reply(401, refused);
}

}  // namespace sevu::hooks

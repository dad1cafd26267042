#include "hooks/mediamtx.hpp"

#include "core/utf8.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/wire_fields.hpp"

namespace sevu::hooks {

namespace {

HttpResponse encode(const UsherDecision& d) {
  return decision_reply(d.allowed ? 200 : 401, d);
}

UsherRequest usher_request(const MediaMtxCall& c, UsherAction action) {
  UsherRequest r;
  r.action = action;
  r.credentials = c.credentials;
  r.client_ip = c.ip;
  r.app = c.app;
  r.video = c.video;
  r.media_server = "mediamtx";
  r.protocol = c.action;
  // "<protocol>:<id>": which of MediaMTX's API lists holds the connection,
  // and its id there, so that an ended session can be kicked (docs/hooks.md).
  if (!c.id.empty()) r.session_id = c.protocol + ":" + c.id;
  return r;
}

}  // namespace

std::optional<MediaMtxCall> decode_mediamtx(std::string_view body, std::string& problem) {
  MediaMtxCall c;
  std::string user, password;
  if (!read_json_strings(body,
                         {{"action", &c.action},
                          {"ip", &c.ip},
                          {"path", &c.path},
                          {"protocol", &c.protocol},
                          {"id", &c.id},
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

  // A login (both user and password) wins over the query: as the user of a
  // publish, as the key of a read.
  c.credentials = credentials_from_query(c.query);
  if (!user.empty() && !password.empty()) {
    if (c.action == "publish") {
      c.credentials.user = user;
    } else {
      c.credentials.key = user;
    }
    c.credentials.pass = password;
  }
  return c;
}

HookCall mediamtx_call(const HttpRequest& req) {
  std::string problem;
  auto call = decode_mediamtx(req.body, problem);
  if (!call) return HookCall::answered(malformed(problem));
  // MediaMTX asks again for every HLS/WebRTC request and for RTSP DESCRIBE and
  // PLAY alike, so one viewing is a session: only its first ask spends a use.
  if (call->action == "read" || call->action == "playback")
    return HookCall::ask(usher_request(*call, UsherAction::kView), encode);
  if (call->action == "publish")
    return HookCall::ask(usher_request(*call, UsherAction::kPublish), encode);
  // api, metrics, pprof and anything newer: never through a viewer's ticket.
  return HookCall::answered(
      encode(refused("Action not allowed: " + to_valid_utf8(call->action, 64))));
}

}  // namespace sevu::hooks

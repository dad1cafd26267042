#include "hooks/nginx_rtmp.hpp"

#include "core/utf8.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/wire_fields.hpp"

namespace sevu::hooks {

namespace {

std::string field(const FormPairs& pairs, std::string_view name) {
  return first_value(pairs, name).value_or("");
}

HttpResponse allow() {
  return plain_reply(200);
}

HttpResponse encode(const UsherDecision& d) {
  return plain_reply(d.allowed ? 200 : 403);
}

UsherRequest usher_request(const NginxRtmpCall& c, UsherAction action) {
  UsherRequest r;
  r.action = action;
  r.credentials = c.credentials;
  r.client_ip = c.addr;
  r.app = c.app;
  r.video = c.name;
  r.media_server = "nginx-rtmp";
  r.protocol = "play";
  r.session_id = c.clientid;
  r.pageurl = c.pageurl;
  r.refurl = c.swfurl;
  return r;
}

// What each notify call asks of the usher; nullopt: nothing (allowed at once).
std::optional<UsherAction> action_of(const std::string& call, bool has_key) {
  if (call == "play") return UsherAction::kStart;
  if (call == "publish") return UsherAction::kPublish;
  // update_publish re-verifies a running publisher without logging, so one
  // whose stream user was removed is cut within notify_update_timeout.
  if (call == "update_publish") return UsherAction::kRecheckPublish;
  // A player's update or done: still allowed? Nothing to check without a key.
  if (call == "update_play" || call == "update") {
    if (has_key) return UsherAction::kRecheck;
    return std::nullopt;
  }
  if (call == "play_done" || call == "done") {
    if (has_key) return UsherAction::kEnd;
    return std::nullopt;
  }
  return std::nullopt;
}

bool known_call(const std::string& call) {
  for (const char* known : {"play", "publish", "update_publish", "update_play", "update",
                            "play_done", "done", "connect", "disconnect", "publish_done",
                            "record_done", "record_started"}) {
    if (call == known) return true;
  }
  return false;
}

}  // namespace

std::optional<NginxRtmpCall> decode_nginx_rtmp(std::string_view body, std::string& problem) {
  const FormPairs pairs = parse_query_text(body);
  NginxRtmpCall c;
  c.call = field(pairs, "call");
  if (c.call.empty()) {
    problem = "no call field";
    return std::nullopt;
  }
  c.addr = field(pairs, "addr");
  c.clientid = field(pairs, "clientid");
  c.app = field(pairs, "app");
  c.name = field(pairs, "name");
  c.pageurl = field(pairs, "pageurl");
  c.swfurl = field(pairs, "swfurl");
  c.tcurl = field(pairs, "tcurl");
  c.credentials = credentials_from(pairs, c.tcurl);
  if ((c.call == "play" || c.call == "publish") && c.addr.empty()) {
    problem = "no addr field";
    return std::nullopt;
  }
  return c;
}

HookCall nginx_rtmp_call(const HttpRequest& req) {
  std::string problem;
  auto call = decode_nginx_rtmp(req.body, problem);
  if (!call) return HookCall::answered(malformed(problem));
  if (!known_call(call->call))
    return HookCall::answered(malformed("unknown call '" + to_valid_utf8(call->call, 64) + "'"));
  auto action = action_of(call->call, call->credentials.key.has_value());
  if (!action) return HookCall::answered(allow());
  return HookCall::ask(usher_request(*call, *action), encode);
}

}  // namespace sevu::hooks

#include "hooks/nginx_rtmp.hpp"

#include "hooks/form_fields.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/log_text.hpp"
#include "hooks/publish_gate.hpp"
#include "hooks/usher_gate.hpp"

namespace sevu::hooks {

namespace {

std::string field(const FormPairs& pairs, std::string_view name) {
  return first_value(pairs, name).value_or("");
}

// Credentials missing from the play/publish args, taken from the query of the
// connect URL ("rtmp://host/app?key=..&pass=.."), for players that put them there.
void credentials_from_tcurl(NginxRtmpCall& c) {
  auto q = c.tcurl.find('?');
  if (q == std::string::npos) return;
  auto pairs = parse_query_text(std::string_view(c.tcurl).substr(q + 1));
  if (!pairs) return;
  if (!c.key) c.key = first_value(*pairs, "key");
  if (!c.pass) c.pass = first_value(*pairs, "pass");
  if (!c.user) c.user = first_value(*pairs, "user");
}

HttpResponse allow() {
  return plain_reply(200);
}
HttpResponse deny() {
  return plain_reply(403);
}

PlayAttempt play_attempt(const NginxRtmpCall& c) {
  PlayAttempt a;
  a.key = c.key.value_or("");
  a.pass = c.pass.value_or("");
  a.ip = c.addr;
  a.app = c.app;
  a.video = c.name;
  a.appinst = "play";
  a.pageurl = c.pageurl;
  a.refurl = c.swfurl;
  return a;
}

PublishAttempt publish_attempt(const NginxRtmpCall& c) {
  return PublishAttempt{c.app, c.name, c.user, c.pass, c.addr, c.pageurl, c.swfurl};
}

// on_update / on_done of a player: still allowed? Nothing to check without a key.
HttpResponse recheck(const NginxRtmpCall& c, Store& store, const HookContext& ctx) {
  if (!c.key) return allow();
  return recheck_playback(store, play_attempt(c), ctx.clock.now()).allowed ? allow() : deny();
}

}  // namespace

std::optional<NginxRtmpCall> decode_nginx_rtmp(std::string_view body, std::string& problem) {
  auto pairs = parse_query_text(body);
  if (!pairs) {
    problem = "body is not application/x-www-form-urlencoded";
    return std::nullopt;
  }
  NginxRtmpCall c;
  c.call = field(*pairs, "call");
  if (c.call.empty()) {
    problem = "no call field";
    return std::nullopt;
  }
  c.addr = field(*pairs, "addr");
  c.clientid = field(*pairs, "clientid");
  c.app = field(*pairs, "app");
  c.name = field(*pairs, "name");
  c.pageurl = field(*pairs, "pageurl");
  c.swfurl = field(*pairs, "swfurl");
  c.tcurl = field(*pairs, "tcurl");
  c.key = first_value(*pairs, "key");
  c.pass = first_value(*pairs, "pass");
  c.user = first_value(*pairs, "user");
  credentials_from_tcurl(c);
  if ((c.call == "play" || c.call == "publish") && c.addr.empty()) {
    problem = "no addr field";
    return std::nullopt;
  }
  return c;
}

HookReply handle_nginx_rtmp(const HttpRequest& req, Store& store, const HookContext& ctx) {
  std::string problem;
  auto call = decode_nginx_rtmp(req.body, problem);
  if (!call) return malformed(problem);
  const NginxRtmpCall& c = *call;
  const int64_t now = ctx.clock.now();

  if (c.call == "play") {
    return start_playback(store, play_attempt(c), now, ctx.config.server_name).allowed ? allow()
                                                                                       : deny();
  }
  if (c.call == "publish" || c.call == "update_publish") {
    // update_publish re-verifies a running publisher without logging, so one
    // whose stream user was removed is cut within notify_update_timeout.
    return PublishCall{publish_attempt(c), now, ctx.config.server_name, c.call == "publish",
                       [](const GateResult& r) { return r.allowed ? allow() : deny(); }};
  }
  if (c.call == "update_play" || c.call == "update" || c.call == "play_done" || c.call == "done") {
    return recheck(c, store, ctx);
  }
  if (c.call == "connect" || c.call == "disconnect" || c.call == "publish_done" ||
      c.call == "record_done" || c.call == "record_started") {
    return allow();
  }
  return malformed("unknown call '" + loggable(c.call, 64) + "'");
}

}  // namespace sevu::hooks

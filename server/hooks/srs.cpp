#include "hooks/srs.hpp"

#include "hooks/form_fields.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/log_text.hpp"
#include "hooks/publish_gate.hpp"
#include "hooks/usher_gate.hpp"

namespace sevu::hooks {

namespace {

HttpResponse allow() {
  return plain_reply(200, "0");
}

HttpResponse deny(const GateResult& r) {
  return decision_reply(403, r);
}

}  // namespace

std::optional<SrsCall> decode_srs(std::string_view body, std::string& problem) {
  SrsCall c;
  if (!read_json_strings(body,
                         {{"action", &c.action},
                          {"ip", &c.ip},
                          {"app", &c.app},
                          {"stream", &c.stream},
                          {"param", &c.param},
                          {"pageUrl", &c.page_url},
                          {"tcUrl", &c.tc_url}},
                         problem))
    return std::nullopt;
  if (c.action.empty()) {
    problem = "action: required";
    return std::nullopt;
  }
  auto args = parse_query_text(c.param);
  if (!args) {
    problem = "param: malformed query";
    return std::nullopt;
  }
  c.key = first_value(*args, "key");
  c.pass = first_value(*args, "pass");
  c.user = first_value(*args, "user");
  // SRS before v4 sent no param; the credentials then ride in tcUrl's query.
  auto q = c.tc_url.find('?');
  if (q != std::string::npos) {
    auto from_tc = parse_query_text(std::string_view(c.tc_url).substr(q + 1));
    if (from_tc) {
      if (!c.key) c.key = first_value(*from_tc, "key");
      if (!c.pass) c.pass = first_value(*from_tc, "pass");
      if (!c.user) c.user = first_value(*from_tc, "user");
    }
  }
  if ((c.action == "on_play" || c.action == "on_publish") && c.ip.empty()) {
    problem = "ip: required";
    return std::nullopt;
  }
  return c;
}

HookReply handle_srs(const HttpRequest& req, Store& store, const HookContext& ctx) {
  std::string problem;
  auto call = decode_srs(req.body, problem);
  if (!call) return malformed(problem);
  const SrsCall& c = *call;
  const int64_t now = ctx.clock.now();

  if (c.action == "on_play") {
    PlayAttempt a;
    a.key = c.key.value_or("");
    a.pass = c.pass.value_or("");
    a.ip = c.ip;
    a.app = c.app;
    a.video = c.stream;
    a.appinst = "play";
    a.pageurl = c.page_url;
    GateResult r = start_playback(store, a, now, ctx.config.server_name);
    return r.allowed ? allow() : deny(r);
  }
  if (c.action == "on_publish") {
    return PublishCall{PublishAttempt{c.app, c.stream, c.user, c.pass, c.ip, c.page_url, ""}, now,
                       ctx.config.server_name, true,
                       [](const GateResult& r) { return r.allowed ? allow() : deny(r); }};
  }
  if (c.action == "on_connect" || c.action == "on_close" || c.action == "on_stop" ||
      c.action == "on_unpublish" || c.action == "on_dvr" || c.action == "on_hls") {
    return allow();
  }
  return malformed("unknown action '" + loggable(c.action, 64) + "'");
}

}  // namespace sevu::hooks

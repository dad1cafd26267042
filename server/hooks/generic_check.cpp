#include "hooks/generic_check.hpp"

#include <rapidjson/document.h>

#include "core/json_util.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/publish_gate.hpp"

namespace sevu::hooks {

namespace {

enum class Need { kOptional, kRequired };

bool read_string(const rapidjson::Value& doc, const char* name, std::string& out, Need need,
                 std::string& problem) {
  if (!has_member(doc, name)) {
    if (need == Need::kRequired) problem = std::string(name) + ": required";
    return need == Need::kOptional;
  }
  auto v = string_member(doc, name);
  if (!v) {
    problem = std::string(name) + ": must be a string";
    return false;
  }
  out = std::move(*v);
  return true;
}

}  // namespace

std::optional<GenericCheck> decode_generic_check(std::string_view body, std::string& problem) {
  rapidjson::Document doc;
  problem = parse_json(body, doc, JsonUtf8::kPassedThrough);
  if (!problem.empty()) return std::nullopt;
  if (!doc.IsObject()) {
    problem = "body must be a JSON object";
    return std::nullopt;
  }
  GenericCheck c;
  PlayAttempt& a = c.attempt;
  a.appinst = "play";
  std::string user;
  // A missing key/pass is decided (and logged) as "Invalid Auth Token"; a
  // request without ip/app/video cannot be decided at all.
  const bool ok = read_string(doc, "action", c.action, Need::kOptional, problem) &&
                  read_string(doc, "key", a.key, Need::kOptional, problem) &&
                  read_string(doc, "pass", a.pass, Need::kOptional, problem) &&
                  read_string(doc, "ip", a.ip, Need::kRequired, problem) &&
                  read_string(doc, "app", a.app, Need::kRequired, problem) &&
                  read_string(doc, "video", a.video, Need::kRequired, problem) &&
                  read_string(doc, "appinst", a.appinst, Need::kOptional, problem) &&
                  read_string(doc, "pageurl", a.pageurl, Need::kOptional, problem) &&
                  read_string(doc, "refurl", a.refurl, Need::kOptional, problem) &&
                  read_string(doc, "user", user, Need::kOptional, problem);
  if (!ok) return std::nullopt;
  if (c.action != "play" && c.action != "recheck" && c.action != "publish") {
    problem = "action: must be play, recheck or publish";
    return std::nullopt;
  }
  if (has_member(doc, "user")) c.user = user;
  c.has_pass = has_member(doc, "pass");
  return c;
}

HookReply handle_generic_check(const HttpRequest& req, Store& store, const HookContext& ctx) {
  std::string problem;
  auto check = decode_generic_check(req.body, problem);
  if (!check) return malformed(problem);
  const PlayAttempt& a = check->attempt;
  const int64_t now = ctx.clock.now();

  auto reply = [](const GateResult& r) { return decision_reply(r.allowed ? 200 : 403, r); };
  if (check->action == "publish") {
    std::optional<std::string> pass;
    if (check->has_pass) pass = a.pass;
    return PublishCall{PublishAttempt{a.app, a.video, check->user, pass, a.ip, a.pageurl, a.refurl},
                       now, ctx.config.server_name, true, reply};
  }
  if (check->action == "recheck") return reply(recheck_playback(store, a, now));
  return reply(start_playback(store, a, now, ctx.config.server_name));
}

}  // namespace sevu::hooks

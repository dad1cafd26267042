#include "hooks/generic_check.hpp"

#include <rapidjson/document.h>

#include "core/json_util.hpp"
#include "hooks/hook_replies.hpp"

namespace sevu::hooks {

namespace {

enum class Need { kOptional, kRequired };

// A present member's value as a string into out; any other type is a problem.
bool string_into(const rapidjson::Value& v, const char* name, std::string& out,
                 std::string& problem) {
  if (!v.IsString()) {
    problem = std::string(name) + ": must be a string";
    return false;
  }
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}

bool read_string(const rapidjson::Value& doc, const char* name, std::string& out, Need need,
                 std::string& problem) {
  const rapidjson::Value* v = present_member(doc, name);
  if (v == nullptr) {
    if (need == Need::kRequired) problem = std::string(name) + ": required";
    return need == Need::kOptional;
  }
  return string_into(*v, name, out, problem);
}

// Present members only: a missing pass is not an empty one (a publish row with
// a null password lets a publisher in who sends none).
bool read_credential(const rapidjson::Value& doc, const char* name,
                     std::optional<std::string>& out, std::string& problem) {
  const rapidjson::Value* v = present_member(doc, name);
  return v == nullptr || string_into(*v, name, out.emplace(), problem);
}

HttpResponse encode(const UsherDecision& d) {
  return decision_reply(d.allowed ? 200 : 403, d);
}

UsherAction action_of(const std::string& action) {
  if (action == "publish") return UsherAction::kPublish;
  if (action == "recheck") return UsherAction::kRecheck;
  if (action == "end") return UsherAction::kEnd;
  return UsherAction::kStart;
}

}  // namespace

std::optional<GenericCheck> decode_generic_check(std::string_view body, std::string& problem) {
  JsonDocument doc;
  problem = parse_json(body, doc, JsonUtf8::kPassedThrough);
  if (!problem.empty()) return std::nullopt;
  if (!doc.IsObject()) {
    problem = "body must be a JSON object";
    return std::nullopt;
  }
  GenericCheck c;
  UsherRequest& r = c.request;
  r.media_server = "check";
  r.protocol = "play";
  Credentials& who = r.credentials;
  // A missing key/pass is decided (and logged) as "Invalid Auth Token"; a
  // request without ip/app/video cannot be decided at all.
  const bool ok = read_string(doc, "action", c.action, Need::kOptional, problem) &&
                  read_credential(doc, "key", who.key, problem) &&
                  read_credential(doc, "pass", who.pass, problem) &&
                  read_string(doc, "ip", r.client_ip, Need::kRequired, problem) &&
                  read_string(doc, "app", r.app, Need::kRequired, problem) &&
                  read_string(doc, "video", r.video, Need::kRequired, problem) &&
                  read_string(doc, "appinst", r.protocol, Need::kOptional, problem) &&
                  read_string(doc, "pageurl", r.pageurl, Need::kOptional, problem) &&
                  read_string(doc, "refurl", r.refurl, Need::kOptional, problem) &&
                  read_credential(doc, "user", who.user, problem) &&
                  read_string(doc, "session", r.session_id, Need::kOptional, problem);
  if (!ok) return std::nullopt;
  if (c.action != "play" && c.action != "recheck" && c.action != "publish" && c.action != "end") {
    problem = "action: must be play, recheck, end or publish";
    return std::nullopt;
  }
  r.action = action_of(c.action);
  return c;
}

HookCall generic_check_call(const HttpRequest& req) {
  std::string problem;
  auto check = decode_generic_check(req.body, problem);
  if (!check) return HookCall::answered(malformed(problem));
  return HookCall::ask(std::move(check->request), encode);
}

}  // namespace sevu::hooks

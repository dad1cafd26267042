#include "hooks/generic_check.hpp"

#include <utility>

#include "core/json_util.hpp"
#include "hooks/hook_replies.hpp"

namespace sevu::hooks {

namespace {

enum class Need { kOptional, kRequired };

// The members a generic check reads, in the order they are checked: the first
// problem in this order is the one reported.
enum Field {
  kAction,
  kKey,
  kPass,
  kIp,
  kApp,
  kVideo,
  kAppinst,
  kPageurl,
  kRefurl,
  kUser,
  kSession,
  kFieldCount
};
constexpr std::string_view kFieldNames[kFieldCount] = {"action", "key",   "pass",    "ip",
                                                        "app",    "video", "appinst", "pageurl",
                                                        "refurl", "user",  "session"};

// A present member's value as a string into out; any other type is a problem.
bool string_into(TopMember& m, Field f, std::string& out, std::string& problem) {
  if (m.kind != TopMember::Kind::kString) {
    problem = std::string(kFieldNames[f]) + ": must be a string";
    return false;
  }
  out = std::move(m.text);
  return true;
}

bool read_string(TopMember* members, Field f, std::string& out, Need need, std::string& problem) {
  if (!members[f].present()) {
    if (need == Need::kRequired) problem = std::string(kFieldNames[f]) + ": required";
    return need == Need::kOptional;
  }
  return string_into(members[f], f, out, problem);
}

// Present members only: a missing pass is not an empty one (a publish row with
// a null password lets a publisher in who sends none).
bool read_credential(TopMember* members, Field f, std::optional<std::string>& out,
                     std::string& problem) {
  return !members[f].present() || string_into(members[f], f, out.emplace(), problem);
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
  TopMember m[kFieldCount];
  bool is_object = false;
  problem =
      read_top_members(body, JsonUtf8::kPassedThrough, kFieldNames, kFieldCount, m, is_object);
  if (!problem.empty()) return std::nullopt;
  if (!is_object) {
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
  const bool ok = read_string(m, kAction, c.action, Need::kOptional, problem) &&
                  read_credential(m, kKey, who.key, problem) &&
                  read_credential(m, kPass, who.pass, problem) &&
                  read_string(m, kIp, r.client_ip, Need::kRequired, problem) &&
                  read_string(m, kApp, r.app, Need::kRequired, problem) &&
                  read_string(m, kVideo, r.video, Need::kRequired, problem) &&
                  read_string(m, kAppinst, r.protocol, Need::kOptional, problem) &&
                  read_string(m, kPageurl, r.pageurl, Need::kOptional, problem) &&
                  read_string(m, kRefurl, r.refurl, Need::kOptional, problem) &&
                  read_credential(m, kUser, who.user, problem) &&
                  read_string(m, kSession, r.session_id, Need::kOptional, problem);
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

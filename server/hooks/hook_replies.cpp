#include "hooks/hook_replies.hpp"

#include "core/json_util.hpp"

namespace sevu::hooks {

HttpResponse plain_reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse decision_reply(int status, const UsherDecision& result) {
  // Kept by each thread and cleared: every hook answer is written here, and a
  // fresh buffer and writer took two allocations and their frees each time
  // (docs/performance.md, "Answers written without a hop, grants answered on
  // their own thread").
  thread_local rapidjson::StringBuffer buf;
  thread_local JsonWriter w;
  buf.Clear();
  w.Reset(buf);
  w.StartObject();
  w.Key("allowed");
  w.Bool(result.allowed);
  put(w, "reason", result.reason);
  if (result.uses_left) {
    w.Key("uses_left");
    w.Int64(*result.uses_left);
  }
  w.EndObject();
  return json_reply(status, buf);
}

HttpResponse malformed(std::string_view problem) {
  return json_error(400, "BAD_REQUEST", problem);
}

UsherDecision refused(std::string reason) {
  UsherDecision d;
  d.reason = std::move(reason);
  return d;
}

}  // namespace sevu::hooks

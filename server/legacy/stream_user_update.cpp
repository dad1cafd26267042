// sevu.updatestream: change the record/DVR/ga_key settings of one stream user,
// named by stream_id (its id). Settings not sent keep their value. app, stream,
// user and pass cannot be changed here: sending any of them is refused rather
// than ignored, so a client never believes a password was changed when it was not.
#include <string>

#include "core/json_util.hpp"
#include "legacy/envelope.hpp"
#include "legacy/request_fields.hpp"
#include "legacy/stream_user_commands.hpp"
#include "legacy/stream_user_fields.hpp"
#include "legacy/stream_user_json.hpp"

namespace sevu::legacy {

namespace {

Reply invalid(const std::string& field, const std::string& reason) {
  return reply(Code::kStreamFieldInvalid, field + " (" + reason + ")");
}

}  // namespace

Reply stream_user_update(const CommandContext& c) {
  const rapidjson::Value* id_field = given_field(c.request, "stream_id");
  if (id_field == nullptr) return reply(Code::kMissingFields, "stream_id");
  const std::optional<int64_t> id = int_value(*id_field);
  if (!id) return invalid("stream_id", "must be a whole number");
  for (const char* fixed : {"app", "stream", "user", "pass"}) {
    if (c.request.IsObject() && c.request.HasMember(fixed)) {
      return invalid(fixed,
                     "cannot be changed by sevu.updatestream; remove the stream user "
                     "and add it again");
    }
  }

  std::optional<StreamUser> updated;
  std::optional<Reply> problem;
  c.store.transaction([&] {
    std::optional<StreamUser> u = c.store.stream_user(c.account.cdn_id, *id);
    if (!u) return;
    if (auto p = apply_settings(c.request, *u)) {
      problem = settings_problem_reply(
          *p, [](const FieldProblem& bad) { return invalid(bad.field, bad.reason); });
      return;
    }
    if (c.store.update_stream_user(*u)) updated = std::move(u);
  });
  if (problem) return std::move(*problem);
  if (!updated) return reply(Code::kUpdateStreamNotFound);
  Reply r = reply(Code::kStreamUpdated);
  r.payload = [user = std::move(*updated), config = c.config](JsonWriter& w) {
    w.Key("user");
    write_stream_user(w, user, config);
  };
  return r;
}

}  // namespace sevu::legacy

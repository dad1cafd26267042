// sevu.retrievestreamuser: one stream user by streamuser_id or app+stream+user.
#include "legacy/envelope.hpp"
#include "legacy/stream_user_commands.hpp"
#include "legacy/stream_user_json.hpp"
#include "legacy/stream_user_lookup.hpp"

namespace sevu::legacy {

Reply stream_user_retrieve(const CommandContext& c) {
  StreamUserLookup lookup = find_stream_user(c);
  if (lookup.problem) return std::move(*lookup.problem);
  if (!lookup.found) return reply(Code::kStreamUserNotFound);
  Reply r = reply(Code::kStreamUserFound);
  r.payload = [user = std::move(*lookup.found), config = c.config](JsonWriter& w) {
    w.Key("user");
    write_stream_user(w, user, config);
  };
  return r;
}

}  // namespace sevu::legacy

// sevu.removestreamuser: delete one stream user by streamuser_id or
// app+stream+user. Its credentials stop working for the next publish.
#include "legacy/envelope.hpp"
#include "legacy/stream_user_commands.hpp"
#include "legacy/stream_user_lookup.hpp"

namespace sevu::legacy {

Reply stream_user_remove(const CommandContext& c) {
  StreamUserLookup lookup = find_stream_user(c);
  if (lookup.problem) return std::move(*lookup.problem);
  // A row removed by a concurrent call between lookup and delete is not found.
  if (!lookup.found || !c.store.delete_stream_user(c.account.cdn_id, lookup.found->id)) {
    return reply(Code::kRemoveStreamUserNotFound);
  }
  Reply r = reply(Code::kStreamUserRemoved);
  r.payload = [id = lookup.found->id](JsonWriter& w) {
    w.Key("id");
    w.Int64(id);
  };
  return r;
}

}  // namespace sevu::legacy

// sevu.liststreamusers: the caller's stream users, optionally only those of one
// app and/or one stream (exact names; "*" finds the "*" rows), oldest first.
#include <algorithm>
#include <string>
#include <vector>

#include "legacy/envelope.hpp"
#include "legacy/request_fields.hpp"
#include "legacy/stream_user_commands.hpp"
#include "legacy/stream_user_json.hpp"

namespace sevu::legacy {

Reply stream_user_list(const CommandContext& c) {
  std::optional<std::string> filters[2];
  const char* const names[2] = {"app", "stream"};
  for (int i = 0; i < 2; ++i) {
    if (const rapidjson::Value* v = given_field(c.request, names[i])) {
      if (!v->IsString()) {
        return reply(Code::kStreamFieldInvalid, std::string(names[i]) + " (must be a string)");
      }
      filters[i] = string_value(*v);
    }
  }
  std::vector<StreamUser> users = c.store.stream_users(c.account.cdn_id, filters[0], filters[1]);
  // Exact matches only, whatever the store's notion of a filter.
  users.erase(std::remove_if(users.begin(), users.end(),
                             [&](const StreamUser& u) {
                               return u.cdn_id != c.account.cdn_id ||
                                      (filters[0] && u.app != *filters[0]) ||
                                      (filters[1] && u.stream != *filters[1]);
                             }),
              users.end());
  std::sort(users.begin(), users.end(),
            [](const StreamUser& a, const StreamUser& b) { return a.id < b.id; });

  Reply r = reply(users.empty() ? Code::kStreamUsersNotFound : Code::kStreamUsersFound);
  r.payload = [list = std::move(users), config = c.config](JsonWriter& w) {
    w.Key("users");
    w.StartArray();
    for (const StreamUser& u : list) write_stream_user(w, u, config);
    w.EndArray();
  };
  return r;
}

}  // namespace sevu::legacy

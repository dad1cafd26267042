// The stream-user commands (commands.hpp): sevu.addstreamuser,
// sevu.liststreamusers, sevu.retrievestreamuser, sevu.removestreamuser and
// sevu.updatestream, with the lookup that names one stream user. Every store
// call is scoped to the caller's account.
#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.hpp"
#include "core/json_util.hpp"
#include "legacy/commands/stream_users/commands.hpp"
#include "legacy/commands/stream_users/fields.hpp"
#include "legacy/commands/stream_users/json.hpp"
#include "legacy/wire/envelope.hpp"
#include "legacy/wire/request_fields.hpp"

namespace sevu::legacy {

namespace {

// Code 2098 for a bad id, filter or setting: "<field> (<reason>)".
Reply invalid(std::string_view field, std::string_view reason) {
  return reply(Code::kStreamFieldInvalid, std::string(field) + " (" + std::string(reason) + ")");
}

Reply not_created(const std::string& why) {
  return reply(Code::kStreamUserNotCreated, why);
}

Reply limit_reached(const Account& account) {
  return reply(Code::kStreamUserLimitReached, "this account may have at most " +
                                                  std::to_string(account.max_stream_users) +
                                                  " stream users");
}

// Naming one stream user, for sevu.retrievestreamuser and sevu.removestreamuser:
// by `streamuser_id`, or by `app` + `stream` + `user` (user null = the row
// without authentication). streamuser_id wins when both are given.
struct StreamUserLookup {
  std::optional<Reply> problem;     // code 6 or 2098: the request names no stream user
  std::optional<StreamUser> found;  // nullopt with no problem: not found (or another account's)
};

// The caller's stream user with exactly this app, stream and user, if any.
std::optional<StreamUser> stream_user_by_identity(const CommandContext& c, const std::string& app,
                                                  const std::string& stream,
                                                  const std::optional<std::string>& user) {
  // Compared here too, so that "*" is only ever the literal "*" row.
  for (StreamUser& u : c.store.stream_users(c.account.cdn_id, app, stream)) {
    if (u.cdn_id == c.account.cdn_id && u.app == app && u.stream == stream && u.user == user) {
      return std::move(u);
    }
  }
  return std::nullopt;
}

StreamUserLookup find_stream_user(const CommandContext& c) {
  StreamUserLookup out;
  if (const rapidjson::Value* id = given_field(c.request, "streamuser_id")) {
    const std::optional<int64_t> n = int_value(*id);
    if (!n) {
      out.problem = invalid("streamuser_id", "must be a whole number");
      return out;
    }
    out.found = c.store.stream_user(c.account.cdn_id, *n);
    return out;
  }

  const rapidjson::Value* app = given_field(c.request, "app");
  const rapidjson::Value* stream = given_field(c.request, "stream");
  // user: null names the row without authentication; absent or "" names nothing.
  const rapidjson::Value* user = nullptr;
  if (c.request.IsObject()) {
    const auto it = c.request.FindMember("user");
    if (it != c.request.MemberEnd() &&
        !(it->value.IsString() && it->value.GetStringLength() == 0)) {
      user = &it->value;
    }
  }
  if (app == nullptr && stream == nullptr && user == nullptr) {
    out.problem = reply(Code::kMissingFields, "streamuser_id (or app, stream, user)");
    return out;
  }
  std::vector<std::string> missing;
  if (app == nullptr) missing.emplace_back("app");
  if (stream == nullptr) missing.emplace_back("stream");
  if (user == nullptr) missing.emplace_back("user");
  if (!missing.empty()) {
    out.problem = reply(Code::kMissingFields, join_names(missing));
    return out;
  }
  if (!app->IsString()) {
    out.problem = invalid("app", "must be a string");
  } else if (!stream->IsString()) {
    out.problem = invalid("stream", "must be a string");
  } else if (!user->IsString() && !user->IsNull()) {
    out.problem = invalid("user", "must be a string or null");
  } else {
    std::optional<std::string> name;
    if (user->IsString()) name = string_value(*user);
    out.found = stream_user_by_identity(c, string_value(*app), string_value(*stream), name);
  }
  return out;
}

}  // namespace

// sevu.addstreamuser: publish credentials for app/stream (or every stream, "*"),
// with optional record/DVR settings. The password is kept only as a salted
// PBKDF2 hash; user and pass both null create a row that publishes without
// authentication but still carries settings. The deliberately slow hash is
// computed by the prepare step (command.hpp), outside the write transaction.
Prepared stream_user_add_prepare(const rapidjson::Value& request) {
  // The handler's own reading of the identity, so that exactly the password it
  // would store is hashed; a request it refuses needs no hash.
  Prepared p;
  StreamIdentity identity;
  if (!read_identity(request, identity) && identity.pass)
    p.pass_hash = hash_password(*identity.pass);
  return p;
}

Reply stream_user_add(const CommandContext& c) {
  const std::string missing = missing_identity_fields(c.request);
  if (!missing.empty()) return reply(Code::kMissingFields, missing);

  StreamIdentity identity;
  if (auto p = read_identity(c.request, identity)) return not_created(p->field + " " + p->reason);
  StreamUser u = default_stream_user();
  if (auto p = apply_settings(c.request, u))
    return settings_problem_reply(
        *p, [](const FieldProblem& bad) { return not_created(bad.field + " " + bad.reason); });

  u.cdn_id = c.account.cdn_id;
  u.app = identity.app;
  u.stream = identity.stream;
  u.user = identity.user;
  if (identity.pass) {
    // Hashed by stream_user_add_prepare from this same request, before the
    // write lock was taken; never here, where every other write would wait.
    if (!c.prepared.pass_hash) throw std::logic_error("sevu.addstreamuser ran unprepared");
    u.pass_hash = c.prepared.pass_hash;
  }
  u.created = c.clock.now();

  enum class Outcome { kAdded, kLimit, kDuplicate, kNotStored } outcome = Outcome::kAdded;
  c.store.transaction([&] {
    if (c.store.count_stream_users(c.account.cdn_id) >= c.account.max_stream_users) {
      outcome = Outcome::kLimit;
    } else if (stream_user_by_identity(c, u.app, u.stream, u.user)) {
      outcome = Outcome::kDuplicate;
    } else if (!c.store.insert_stream_user(u)) {
      outcome = Outcome::kNotStored;
    }
  });
  switch (outcome) {
    case Outcome::kLimit:
      return limit_reached(c.account);
    case Outcome::kDuplicate:
      return not_created("a stream user for this app, stream and user already exists");
    case Outcome::kNotStored:
      return not_created("the stream user could not be stored");
    case Outcome::kAdded:
      break;
  }
  Reply r = reply(Code::kStreamUserAdded);
  r.payload = [user = std::move(u), config = c.config](JsonWriter& w) {
    w.Key("user");
    write_stream_user(w, user, config);
  };
  return r;
}

// sevu.liststreamusers: the caller's stream users, optionally only those of one
// app and/or one stream (exact names; "*" finds the "*" rows), oldest first.
Reply stream_user_list(const CommandContext& c) {
  std::optional<std::string> filters[2];
  const char* const names[2] = {"app", "stream"};
  for (int i = 0; i < 2; ++i) {
    if (const rapidjson::Value* v = given_field(c.request, names[i])) {
      if (!v->IsString()) {
        return invalid(names[i], "must be a string");
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

// sevu.retrievestreamuser: one stream user by streamuser_id or app+stream+user.
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

// sevu.removestreamuser: delete one stream user by streamuser_id or
// app+stream+user. Its credentials stop working for the next publish.
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

// sevu.updatestream: change the record/DVR/ga_key settings of one stream user,
// named by stream_id (its id). Settings not sent keep their value. app, stream,
// user and pass cannot be changed here: sending any of them is refused rather
// than ignored, so a client never believes a password was changed when it was not.
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

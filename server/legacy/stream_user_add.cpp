// sevu.addstreamuser: publish credentials for app/stream (or every stream, "*"),
// with optional record/DVR settings. The password is kept only as a salted
// PBKDF2 hash; user and pass both null create a row that publishes without
// authentication but still carries settings. The deliberately slow hash is
// computed by the prepare step (command.hpp), outside the write transaction.
#include <stdexcept>
#include <string>

#include "auth/password_hash.hpp"
#include "legacy/envelope.hpp"
#include "legacy/request_fields.hpp"
#include "legacy/stream_user_commands.hpp"
#include "legacy/stream_user_fields.hpp"
#include "legacy/stream_user_json.hpp"
#include "legacy/stream_user_lookup.hpp"

namespace sevu::legacy {

namespace {

Reply not_created(const std::string& why) {
  return reply(Code::kStreamUserNotCreated, why);
}

Reply limit_reached(const Account& account) {
  return reply(Code::kStreamUserLimitReached, "this account may have at most " +
                                                  std::to_string(account.max_stream_users) +
                                                  " stream users");
}

}  // namespace

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

}  // namespace sevu::legacy

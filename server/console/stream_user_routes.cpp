// The stream-user routes under /console/api/stream-users (docs/console.md):
// the same field rules, messages and JSON as the legacy commands
// (legacy/commands/stream_users/), so a stream user is one thing whichever way
// it is made. Passwords go in, never out; they are hashed on this store worker
// before any write transaction opens, as sevu.addstreamuser's prepare step does.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "auth/password_hash.hpp"
#include "console/routes.hpp"
#include "core/json_util.hpp"
#include "core/text.hpp"
#include "legacy/commands/stream_users/fields.hpp"
#include "legacy/commands/stream_users/json.hpp"
#include "v2/errors.hpp"

namespace sevu::console {

namespace {

v2::V2Error invalid(const legacy::FieldProblem& p) {
  return v2::bad_request(v2::code::kInvalidValue, p.field + " " + p.reason, p.field);
}

int64_t id_of(const std::string& text) {
  auto id = parse_decimal(text);
  if (!id) throw v2::not_found("no such stream user");
  return *id;
}

bool same_identity(const StreamUser& a, const StreamUser& b) {
  return a.app == b.app && a.stream == b.stream && a.user == b.user;
}

HttpResponse user_reply(const Context& c, int status, const StreamUser& u) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  legacy::write_stream_user(w, u, c.config.legacy);
  return json_reply(status, buf);
}

// A new password for an existing user, checked by the add command's own
// identity rules (the stored app, stream and user with the new pass).
std::string checked_pass_hash(const StreamUser& u, const rapidjson::Value& pass) {
  if (!u.user)
    throw v2::bad_request(v2::code::kInvalidValue,
                          "pass cannot be set on a stream user without a user", "pass");
  rapidjson::Document identity(rapidjson::kObjectType);
  auto& a = identity.GetAllocator();
  identity.AddMember("app", rapidjson::Value(u.app.c_str(), a), a);
  identity.AddMember("stream", rapidjson::Value(u.stream.c_str(), a), a);
  identity.AddMember("user", rapidjson::Value(u.user->c_str(), a), a);
  identity.AddMember("pass", rapidjson::Value(pass, a), a);
  legacy::StreamIdentity checked;
  if (auto p = legacy::read_identity(identity, checked)) throw invalid(*p);
  return hash_password(*checked.pass);
}

}  // namespace

HttpResponse list_stream_users(const Context& c) {
  const Account account = acting_account_only(c);
  std::vector<StreamUser> users = c.store.stream_users(account.cdn_id, std::nullopt, std::nullopt);
  std::sort(users.begin(), users.end(),
            [](const StreamUser& a, const StreamUser& b) { return a.id < b.id; });
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const StreamUser& u : users) legacy::write_stream_user(w, u, c.config.legacy);
  w.EndArray();
  return json_reply(200, buf);
}

HttpResponse add_stream_user(const Context& c) {
  const Account account = acting_account_only(c);
  JsonDocument body;
  read_body(c, body);
  only_members(body, {"app", "stream", "user", "pass"}, legacy::is_setting);
  const std::string missing = legacy::missing_identity_fields(body);
  if (!missing.empty())
    throw v2::bad_request(v2::code::kRequiredField, "missing: " + missing,
                          missing.substr(0, missing.find(',')));
  legacy::StreamIdentity identity;
  if (auto p = legacy::read_identity(body, identity)) throw invalid(*p);
  StreamUser u = legacy::default_stream_user();
  if (auto p = legacy::apply_settings(body, u)) throw invalid(*p);
  u.cdn_id = account.cdn_id;
  u.app = identity.app;
  u.stream = identity.stream;
  u.user = identity.user;
  if (identity.pass) u.pass_hash = hash_password(*identity.pass);  // before the write lock
  u.created = c.now;

  c.store.transaction([&] {
    if (c.store.count_stream_users(account.cdn_id) >= account.max_stream_users)
      throw v2::V2Error(409, "LIMIT_REACHED",
                        "this account may have at most " +
                            std::to_string(account.max_stream_users) + " stream users");
    for (const StreamUser& other : c.store.stream_users(account.cdn_id, u.app, u.stream))
      if (same_identity(other, u))
        throw v2::V2Error(409, "DUPLICATE",
                          "a stream user for this app, stream and user already exists", "user");
    if (!c.store.insert_stream_user(u))
      throw v2::V2Error(409, "DUPLICATE",
                        "a stream user for this app, stream and user already exists", "user");
  });
  return user_reply(c, 201, u);
}

HttpResponse update_stream_user(const Context& c, const std::string& id_text) {
  const Account account = acting_account_only(c);
  const int64_t id = id_of(id_text);
  JsonDocument body;
  read_body(c, body);
  for (const char* fixed : {"app", "stream", "user"})
    if (body.HasMember(fixed))
      throw v2::bad_request(v2::code::kInvalidValue,
                            std::string(fixed) +
                                " cannot be changed; remove the stream user and add it again",
                            fixed);
  only_members(body, {"pass"}, legacy::is_setting);
  std::optional<std::string> pass_hash;
  if (const auto pass = body.FindMember("pass"); pass != body.MemberEnd()) {
    auto current = c.store.stream_user(account.cdn_id, id);
    if (!current) throw v2::not_found("no such stream user");
    pass_hash = checked_pass_hash(*current, pass->value);  // before the write lock
  }
  StreamUser u;
  c.store.transaction([&] {
    auto current = c.store.stream_user(account.cdn_id, id);
    if (!current) throw v2::not_found("no such stream user");
    u = *current;
    if (auto p = legacy::apply_settings(body, u)) throw invalid(*p);
    if (pass_hash) u.pass_hash = pass_hash;
    if (!c.store.update_stream_user(u)) throw v2::not_found("no such stream user");
  });
  return user_reply(c, 200, u);
}

HttpResponse remove_stream_user(const Context& c, const std::string& id_text) {
  const Account account = acting_account_only(c);
  if (!c.store.delete_stream_user(account.cdn_id, id_of(id_text)))
    throw v2::not_found("no such stream user");
  return no_content();
}

}  // namespace sevu::console

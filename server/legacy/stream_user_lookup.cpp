#include "legacy/stream_user_lookup.hpp"

#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "legacy/envelope.hpp"
#include "legacy/request_fields.hpp"

namespace sevu::legacy {

namespace {

Reply invalid(const char* field, const char* reason) {
  return reply(Code::kStreamFieldInvalid, std::string(field) + " (" + reason + ")");
}

}  // namespace

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

}  // namespace sevu::legacy

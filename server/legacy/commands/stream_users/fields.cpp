// Field rules of the stream-user commands. Names that end up in URLs and in
// media-server configuration (app, stream, user, save_folder, ga_key) are kept
// to small charsets so that nothing downstream needs escaping.
#include "legacy/commands/stream_users/fields.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/json_util.hpp"
#include "core/text.hpp"
#include "legacy/commands/stream_users/crontab.hpp"
#include "legacy/wire/request_fields.hpp"

namespace sevu::legacy {

namespace {

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  const auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The legacy convention (request_fields.hpp): null and "" mean "not sent".
const rapidjson::Value* given(const rapidjson::Value& obj, const char* name) {
  return given_field(obj, name);
}

// For save_folder and ga_key, where "" is a value: "no folder", "the account's key".
const rapidjson::Value* given_or_empty(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = member(obj, name);
  return v == nullptr || v->IsNull() ? nullptr : v;
}

// ASCII only, whatever the locale.
bool is_name_char(char c, std::string_view extra) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         extra.find(c) != std::string_view::npos;
}

// Empty when s is 1..max_length characters of letters, digits and `extra`.
std::optional<std::string> charset_problem(std::string_view s, std::size_t max_length,
                                           std::string_view extra, const char* extra_text) {
  bool ok = !s.empty() && s.size() <= max_length;
  for (const char c : s) ok = ok && is_name_char(c, extra);
  if (ok) return std::nullopt;
  return "must be 1 to " + std::to_string(max_length) + " letters, digits" + extra_text;
}

FieldProblem bad(const char* field, std::string reason) {
  return {0, field, std::move(reason)};
}

std::optional<FieldProblem> read_bool(const rapidjson::Value& request, const char* name,
                                      bool& out) {
  const rapidjson::Value* v = given(request, name);
  if (v == nullptr) return std::nullopt;
  const std::optional<bool> b = bool_value(*v);
  if (!b) return bad(name, "must be true or false");
  out = *b;
  return std::nullopt;
}

std::optional<FieldProblem> read_int_in(const rapidjson::Value& request, const char* name,
                                        int64_t min, int64_t max, int64_t& out) {
  if (given(request, name) == nullptr) return std::nullopt;
  const std::optional<int64_t> n = int_member(request, name);
  if (!n || *n < min || *n > max) {
    return bad(name,
               "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = *n;
  return std::nullopt;
}

// Letters, digits, '-' and '_' (upstream's rule); may be empty (= no folder).
std::optional<FieldProblem> read_save_folder(const rapidjson::Value& request, std::string& out) {
  const rapidjson::Value* v = given_or_empty(request, "save_folder");
  if (v == nullptr) return std::nullopt;
  const char* reason = "may contain only letters, numbers, dashes and underscores (at most 128)";
  if (!v->IsString()) return bad("save_folder", reason);
  const std::string_view s = text_of(*v);
  if (!s.empty() && charset_problem(s, kMaxSaveFolderLength, "-_", "")) {
    return bad("save_folder", reason);
  }
  out = std::string(s);
  return std::nullopt;
}

// "UA-12345-1", "G-ABC123"; may be empty (= the account's default key).
std::optional<FieldProblem> read_ga_key(const rapidjson::Value& request, std::string& out) {
  const rapidjson::Value* v = given_or_empty(request, "ga_key");
  if (v == nullptr) return std::nullopt;
  const char* reason = "must be at most 64 letters, digits, '-', '_' or '.'";
  if (!v->IsString()) return bad("ga_key", reason);
  const std::string_view s = text_of(*v);
  if (!s.empty() && charset_problem(s, kMaxGaKeyLength, "-_.", "")) return bad("ga_key", reason);
  out = std::string(s);
  return std::nullopt;
}

std::optional<FieldProblem> read_record_type(const rapidjson::Value& request, std::string& out) {
  const rapidjson::Value* v = given(request, "record_type");
  if (v == nullptr) return std::nullopt;
  if (!v->IsString() || (text_of(*v) != "stream" && text_of(*v) != "event")) {
    return bad("record_type", "must be \"stream\" or \"event\"");
  }
  out = std::string(text_of(*v));
  return std::nullopt;
}

std::optional<FieldProblem> read_segment_type(const rapidjson::Value& request, std::string& out) {
  const rapidjson::Value* v = given(request, "segment_type");
  if (v == nullptr) return std::nullopt;
  static constexpr std::array<std::string_view, 4> kTypes = {"schedule", "size", "duration",
                                                             "disabled"};
  if (v->IsString()) {
    for (const std::string_view type : kTypes) {
      if (text_of(*v) == type) {
        out = std::string(type);
        return std::nullopt;
      }
    }
  }
  return FieldProblem{9, "segment_type", "must be schedule, size, duration or disabled"};
}

// Minutes or megabytes: a whole number 1..kMaxSegmentValue, as a JSON integer or
// a string of digits (how it is stored, and how form-minded clients send it).
std::optional<int64_t> positive_amount(const rapidjson::Value* v) {
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> n;
  if (v->IsInt64()) {
    n = v->GetInt64();
  } else if (v->IsString()) {
    n = parse_decimal(text_of(*v), 10);  // more digits are out of range anyway
  }
  if (!n || *n < 1 || *n > kMaxSegmentValue) return std::nullopt;
  return n;
}

// The stored segment_value as the JSON value it came from, for re-checking on update.
rapidjson::Value stored_value(const std::string& s) {
  return rapidjson::Value(rapidjson::StringRef(s.data(), s.size()));
}

// segment_type and segment_value checked together; a segment_value sent without
// a segment_type is judged against the type the stream user already has.
std::optional<FieldProblem> settle_segment(const rapidjson::Value& request, StreamUser& user) {
  if (user.segment_type.empty()) user.segment_type = "disabled";
  const rapidjson::Value* sent = given(request, "segment_value");
  const rapidjson::Value kept = stored_value(user.segment_value);
  const rapidjson::Value* value = sent != nullptr ? sent : &kept;

  if (user.segment_type == "disabled") {
    user.segment_value.clear();  // recordings run until unpublish; a value means nothing
    return std::nullopt;
  }
  if (user.segment_type == "size" || user.segment_type == "duration") {
    const std::optional<int64_t> n = positive_amount(value);
    if (!n) {
      return FieldProblem{10, "segment_value",
                          "must be a whole number from 1 to " + std::to_string(kMaxSegmentValue) +
                              (user.segment_type == "size" ? " (MB)" : " (minutes)")};
    }
    user.segment_value = std::to_string(*n);
    return std::nullopt;
  }
  // schedule
  if (!value->IsString()) return FieldProblem{11, "segment_value", "must be a crontab string"};
  const CrontabResult cron = parse_crontab(text_of(*value));
  if (!cron.schedule) return FieldProblem{11, "segment_value", cron.error};
  user.segment_value = std::string(text_of(*value));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> app_problem(std::string_view app) {
  return charset_problem(app, kMaxAppLength, "._-", ", '.', '_' or '-'");
}

std::optional<std::string> stream_problem(std::string_view stream) {
  if (stream == "*") return std::nullopt;  // every stream of the app
  return charset_problem(stream, kMaxStreamLength, "._-:@",
                         ", '.', '_', '-', ':' or '@' (or \"*\")");
}

std::optional<std::string> user_problem(std::string_view user) {
  return charset_problem(user, kMaxUserLength, "._-@+", ", '.', '_', '-', '@' or '+'");
}

std::string missing_identity_fields(const rapidjson::Value& request) {
  std::vector<std::string> missing;
  for (const char* name : {"app", "stream"}) {
    if (given(request, name) == nullptr) missing.emplace_back(name);
  }
  // null is an answer for user and pass (no authentication); absent or "" is not.
  for (const char* name : {"user", "pass"}) {
    const rapidjson::Value* v = member(request, name);
    if (v == nullptr || (v->IsString() && v->GetStringLength() == 0)) missing.emplace_back(name);
  }
  return join_names(missing);
}

std::optional<FieldProblem> read_identity(const rapidjson::Value& request, StreamIdentity& out) {
  const rapidjson::Value* app = given(request, "app");
  if (app == nullptr || !app->IsString()) return bad("app", "must be a string");
  if (auto why = app_problem(text_of(*app))) return bad("app", *why);
  const rapidjson::Value* stream = given(request, "stream");
  if (stream == nullptr || !stream->IsString()) return bad("stream", "must be a string");
  if (auto why = stream_problem(text_of(*stream))) return bad("stream", *why);

  const rapidjson::Value* user = member(request, "user");
  const rapidjson::Value* pass = member(request, "pass");
  const bool user_null = user == nullptr || user->IsNull();
  const bool pass_null = pass == nullptr || pass->IsNull();
  if (user_null != pass_null) {
    return bad("user", "and pass must both be null to disable authentication");
  }
  out.app = std::string(text_of(*app));
  out.stream = std::string(text_of(*stream));
  out.user.reset();
  out.pass.reset();
  if (user_null) return std::nullopt;

  if (!user->IsString()) return bad("user", "must be a string or null");
  if (auto why = user_problem(text_of(*user))) return bad("user", *why);
  if (!pass->IsString()) return bad("pass", "must be a string or null");
  const std::string_view p = text_of(*pass);
  if (p.empty() || p.size() > kMaxPassLength) {
    return bad("pass", "must be 1 to " + std::to_string(kMaxPassLength) + " bytes");
  }
  for (const char c : p) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return bad("pass", "must not contain control characters");
  }
  out.user = std::string(text_of(*user));
  out.pass = std::string(p);
  return std::nullopt;
}

StreamUser default_stream_user() {
  StreamUser u;
  u.record = false;
  u.record_type = "stream";
  u.segment_type = "disabled";
  u.segment_value.clear();
  u.save_folder.clear();
  u.playlist_count = kMinPlaylistCount;  // upstream default 4
  u.playlist_timeout = 600;              // upstream default
  u.enable_dvr = true;
  u.ga_key.clear();
  return u;
}

// Every member apply_settings reads, for routes that refuse any other
// (console/stream_user_routes.cpp): a setting added there is added here.
constexpr std::array<std::string_view, 9> kSettings = {
    "record",         "record_type",      "segment_type", "segment_value", "save_folder",
    "playlist_count", "playlist_timeout", "enable_dvr",   "ga_key"};

bool is_setting(std::string_view name) {
  return std::find(kSettings.begin(), kSettings.end(), name) != kSettings.end();
}

std::optional<FieldProblem> apply_settings(const rapidjson::Value& request, StreamUser& user) {
  if (auto p = read_bool(request, "record", user.record)) return p;
  if (auto p = read_record_type(request, user.record_type)) return p;
  if (auto p = read_segment_type(request, user.segment_type)) return p;
  if (auto p = settle_segment(request, user)) return p;
  if (auto p = read_save_folder(request, user.save_folder)) return p;
  if (auto p = read_int_in(request, "playlist_count", kMinPlaylistCount, kMaxPlaylistCount,
                           user.playlist_count)) {
    return p;
  }
  if (auto p = read_int_in(request, "playlist_timeout", kMinPlaylistTimeout, kMaxPlaylistTimeout,
                           user.playlist_timeout)) {
    return p;
  }
  if (auto p = read_bool(request, "enable_dvr", user.enable_dvr)) return p;
  if (auto p = read_ga_key(request, user.ga_key)) return p;
  return std::nullopt;
}

}  // namespace sevu::legacy

// Reading and validating the fields of sevu.addstreamuser and sevu.updatestream.
// Both commands share the record/DVR/ga_key settings; they differ only in the
// code a bad "other" value earns (2070 on add, 2098 on update), so validation
// reports a neutral problem and each command turns it into its reply.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "legacy/wire/envelope.hpp"
#include "core/records.hpp"

namespace sevu::legacy {

// Limits (decided where upstream is silent; see docs/legacy-api.md "Stream users").
constexpr int64_t kMinPlaylistCount = 4;
constexpr int64_t kMaxPlaylistCount = 100;  // upstream: "between 4 and [...]"
constexpr int64_t kMinPlaylistTimeout = 60;
constexpr int64_t kMaxPlaylistTimeout = 1200;
constexpr int64_t kMaxSegmentValue = 2147483647;  // minutes or MB
constexpr std::size_t kMaxAppLength = 64;
constexpr std::size_t kMaxStreamLength = 128;
constexpr std::size_t kMaxUserLength = 64;
constexpr std::size_t kMaxPassLength = 256;
constexpr std::size_t kMaxSaveFolderLength = 128;
constexpr std::size_t kMaxGaKeyLength = 64;

// What is wrong with a request. code is 9, 10 or 11 for the segment checks that
// have their own upstream codes, 0 for any other bad value of `field`.
struct FieldProblem {
  int code = 0;
  std::string field;
  std::string reason;  // e.g. "must be between 4 and 100"
};

// The reply for a bad setting: 9, 10 and 11 answer with their own codes, any
// other problem with what `otherwise` (add: 2070, update: 2098) makes of it.
template <class Otherwise>
Reply settings_problem_reply(const FieldProblem& p, Otherwise otherwise) {
  switch (p.code) {
    case 9:
      return reply(Code::kSegmentTypeInvalid, p.field + " " + p.reason);
    case 10:
      return reply(Code::kSegmentValueNotPositive, p.field + " " + p.reason);
    case 11:
      return reply(Code::kCrontabInvalid, p.reason);
    default:
      return otherwise(p);
  }
}

// The identity of a stream user as sent to sevu.addstreamuser. user and pass
// are both set or both nullopt (authentication disabled).
struct StreamIdentity {
  std::string app;
  std::string stream;
  std::optional<std::string> user;
  std::optional<std::string> pass;  // plain text; hashed by the caller, never stored
};

// Names of the required members of sevu.addstreamuser that are absent, in
// request-field order, comma separated ("app, stream, user, pass"). As for every
// legacy field, null and "" count as absent, except that user/pass sent as null
// are present (null disables authentication).
std::string missing_identity_fields(const rapidjson::Value& request);

// app/stream/user/pass, assuming none is missing. Each must be a string of the
// documented charset and length; user and pass must be null together.
std::optional<FieldProblem> read_identity(const rapidjson::Value& request, StreamIdentity& out);

// Single-value checks, shared with lookups by app+stream+user.
std::optional<std::string> app_problem(std::string_view app);
std::optional<std::string> stream_problem(std::string_view stream);
std::optional<std::string> user_problem(std::string_view user);

// Applies the optional settings present in request (record, record_type,
// segment_type, segment_value, save_folder, playlist_count, playlist_timeout,
// enable_dvr, ga_key) onto user, then checks the resulting segment_type and
// segment_value together, so an update that only changes segment_type is
// checked against the stored value. A member sent as null or "" counts as not
// sent, except save_folder and ga_key, where "" clears the setting.
// On a problem, user may have been partly changed; callers discard it.
std::optional<FieldProblem> apply_settings(const rapidjson::Value& request, StreamUser& user);
// True for the name of a setting apply_settings reads.
bool is_setting(std::string_view name);

// Settings of a new stream user before the request's own are applied.
StreamUser default_stream_user();

}  // namespace sevu::legacy

#include "legacy/stream_user_codes.hpp"

#include <stdexcept>
#include <string>

namespace sevu::legacy {

const std::vector<CodeInfo>& stream_user_code_table() {
  constexpr bool kSuccess = true;
  constexpr bool kFailure = false;
  static const std::vector<CodeInfo> table = {
      // Upstream's texts, verbatim (9 predates "disabled", which is accepted too).
      {kSegmentTypeInvalid, kFailure, "Segment Type may only be schedule, size, or duration."},
      {kSegmentValueNotPositive, kFailure,
       "Segments of Duration and Size require a value greater than 0."},
      {kCrontabInvalid, kFailure, "Invalid CRONTAB expression given."},
      {kStreamUserNotCreated, kFailure, "Stream User could not be created"},
      {kStreamUserAdded, kSuccess, "Stream User Added"},
      {kStreamUserLimitReached, kFailure, "Exceeded maximum stream accounts"},
      // An empty listing is a successful answer, like sevu.attempts' 2100 (decided).
      {kStreamUsersNotFound, kSuccess, "Stream Users were not found"},
      {kStreamUsersFound, kSuccess, "Stream Users Found"},
      // Decided.
      {kStreamUserFound, kSuccess, "Stream User Found"},
      {kStreamUserNotFound, kFailure, "Stream User not found"},
      {kStreamUserRemoved, kSuccess, "Stream User Removed"},
      {kRemoveStreamUserNotFound, kFailure, "Stream User not found"},
      {kStreamUpdated, kSuccess, "Stream Updated"},
      {kUpdateStreamNotFound, kFailure, "Stream not found"},
      {kStreamFieldInvalid, kFailure, "invalid field value"},
  };
  return table;
}

Reply stream_user_reply(Code code) {
  for (const CodeInfo& info : stream_user_code_table()) {
    if (info.code == code) {
      Reply r;
      r.code = code;
      r.message = info.message;
      return r;
    }
  }
  throw std::logic_error("not a stream-user code: " + std::to_string(static_cast<int>(code)));
}

Reply stream_user_reply(Code code, std::string_view detail) {
  Reply r = stream_user_reply(code);
  const bool verbatim = code == kSegmentTypeInvalid || code == kSegmentValueNotPositive ||
                        code == kCrontabInvalid || code == kStreamUserLimitReached;
  if (!verbatim) {
    r.message += ": ";
    r.message += detail;
    return r;
  }
  r.payload = [text = std::string(detail)](JsonWriter& w) { put(w, "detail", text); };
  return r;
}

}  // namespace sevu::legacy

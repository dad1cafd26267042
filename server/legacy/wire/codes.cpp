#include "legacy/wire/codes.hpp"

#include <stdexcept>

namespace sevu::legacy {

namespace {

constexpr bool kSuccess = true;
constexpr bool kFailure = false;
constexpr bool kVerbatim = true;

}  // namespace

const std::vector<CodeInfo>& all_codes() {
  static const std::vector<CodeInfo> table = {
      {Code::kUnknownCommand, kFailure, "Unrecognized API Command"},
      {Code::kAuthFailed, kFailure,
       "CDN Authorization failed. Invalid API Key or not authorized for that account."},
      {Code::kBadTimestamp, kFailure,
       "Timestamp outside valid range. Make sure your timestamp is in UTC not local time"},
      {Code::kBadSignature, kFailure, "Failed HMAC-SHA256 Signature. Check your Private Key"},
      {Code::kUnexpectedError, kFailure, "sevu-server API encountered an unexpected error"},
      {Code::kUnauthorized, kFailure, "Unauthorized Access to API"},
      {Code::kMissingFields, kFailure, "One or more required fields are missing"},
      // Upstream's texts, verbatim (9 predates "disabled", which is accepted too).
      {Code::kSegmentTypeInvalid, kFailure, "Segment Type may only be schedule, size, or duration.",
       kVerbatim},
      {Code::kSegmentValueNotPositive, kFailure,
       "Segments of Duration and Size require a value greater than 0.", kVerbatim},
      {Code::kCrontabInvalid, kFailure, "Invalid CRONTAB expression given.", kVerbatim},
      {Code::kBusy, kFailure, "Server busy, try again"},
      {Code::kTicketReadBackFailed, kFailure,
       "ScaleEngine Virtual Usher Ticket failed to return newly created ticket information"},
      {Code::kTicketNotCreated, kFailure,
       "ScaleEngine Virtual Usher Ticket could not be created at this time"},
      {Code::kTicketGranted, kSuccess, "ScaleEngine Virtual Usher Ticket Granted"},
      {Code::kUsesNotPositive, kFailure,
       "ScaleEngine Virtual Usher Ticket uses must be greater than 0"},
      {Code::kExpiryNotFuture, kFailure,
       "ScaleEngine Virtual Usher Ticket expiry date must be a future date"},
      {Code::kTicketFound, kSuccess, "ScaleEngine Virtual Usher Ticket found"},
      {Code::kTicketNotFound, kFailure, "ScaleEngine Virtual Usher Ticket not found"},
      {Code::kTicketRevoked, kSuccess, "ScaleEngine Virtual Usher Ticket revoked"},
      {Code::kRevokeNotFound, kFailure, "ScaleEngine Virtual Usher Ticket not found"},
      {Code::kStreamUserNotCreated, kFailure, "Stream User could not be created"},
      {Code::kStreamUserAdded, kSuccess, "Stream User Added"},
      {Code::kStreamUserLimitReached, kFailure, "Exceeded maximum stream accounts", kVerbatim},
      // An empty listing is a successful answer, like sevu.attempts' 2100 (decided).
      {Code::kStreamUsersNotFound, kSuccess, "Stream Users were not found"},
      {Code::kStreamUsersFound, kSuccess, "Stream Users Found"},
      {Code::kStreamUserFound, kSuccess, "Stream User Found"},
      {Code::kStreamUserNotFound, kFailure, "Stream User not found"},
      {Code::kStreamUserRemoved, kSuccess, "Stream User Removed"},
      {Code::kRemoveStreamUserNotFound, kFailure, "Stream User not found"},
      {Code::kStreamUpdated, kSuccess, "Stream Updated"},
      {Code::kUpdateStreamNotFound, kFailure, "Stream not found"},
      {Code::kStreamFieldInvalid, kFailure, "invalid field value"},
      {Code::kNoAttempts, kSuccess, "ScaleEngine Virtual Usher Ticket was not used"},
      {Code::kAttemptsFound, kSuccess, "ScaleEngine Virtual Usher Ticket uses found"},
      {Code::kBadFilter, kFailure, "Invalid filter value"},
      {Code::kAttemptsCounted, kSuccess, "Attempts counted"},
  };
  return table;
}

const CodeInfo& code_info(Code code) {
  for (const auto& info : all_codes()) {
    if (info.code == code) return info;
  }
  // Only reachable if a Code is added to the enum but not to the table.
  throw std::logic_error("legacy code without a table entry: " +
                         std::to_string(static_cast<int>(code)));
}

}  // namespace sevu::legacy

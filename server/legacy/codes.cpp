#include "legacy/codes.hpp"

#include <stdexcept>

#include "legacy/stream_user_codes.hpp"

namespace sevu::legacy {

namespace {

constexpr bool kSuccess = true;
constexpr bool kFailure = false;

std::vector<CodeInfo> ticket_codes() {
  return {
      {Code::kUnknownCommand, kFailure, "Unrecognized API Command"},
      {Code::kAuthFailed, kFailure,
       "CDN Authorization failed. Invalid API Key or not authorized for that account."},
      {Code::kBadTimestamp, kFailure,
       "Timestamp outside valid range. Make sure your timestamp is in UTC not local time"},
      {Code::kBadSignature, kFailure, "Failed HMAC-SHA256 Signature. Check your Private Key"},
      {Code::kUnexpectedError, kFailure, "sevu-server API encountered an unexpected error"},
      {Code::kUnauthorized, kFailure, "Unauthorized Access to API"},
      {Code::kMissingFields, kFailure, "One or more required fields are missing"},
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
      {Code::kNoAttempts, kSuccess, "ScaleEngine Virtual Usher Ticket was not used"},
      {Code::kAttemptsFound, kSuccess, "ScaleEngine Virtual Usher Ticket uses found"},
      {Code::kBadFilter, kFailure, "Invalid filter value"},
      {Code::kAttemptsCounted, kSuccess, "Attempts counted"},
  };
}

}  // namespace

const std::vector<CodeInfo>& all_codes() {
  // The stream-user commands keep their rows beside them; this is the one place
  // both halves meet.
  static const std::vector<CodeInfo> table = [] {
    std::vector<CodeInfo> all = ticket_codes();
    const auto& streams = stream_user_code_table();
    all.insert(all.end(), streams.begin(), streams.end());
    return all;
  }();
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

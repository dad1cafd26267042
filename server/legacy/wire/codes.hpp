// The response codes of the legacy API with their status and message: every
// code of every command, in one table (docs/legacy-api.md lists it). Global
// codes, 9-11, 2000-2004, 2070-2072, 2090, 2091, 2100 and 2101 are upstream's;
// 2010-2021, 2092-2098, 2102 and 2110 are this project's (decided).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sevu::legacy {

enum class Code : int {
  // Global (checked before any command runs)
  kUnknownCommand = 0,
  kAuthFailed = 1,
  kBadTimestamp = 2,
  kBadSignature = 3,  // also a replay, with kReplayMessage
  kUnexpectedError = 4,
  kUnauthorized = 5,
  kMissingFields = 6,
  // sevu.addstreamuser and sevu.updatestream: a bad segment setting
  kSegmentTypeInvalid = 9,
  kSegmentValueNotPositive = 10,
  kCrontabInvalid = 11,
  kBusy = 1000,
  // sevu.request
  kTicketReadBackFailed = 2000,
  kTicketNotCreated = 2001,
  kTicketGranted = 2002,
  kUsesNotPositive = 2003,
  kExpiryNotFuture = 2004,
  // sevu.status
  kTicketFound = 2010,
  kTicketNotFound = 2011,
  // sevu.revoke
  kTicketRevoked = 2020,
  kRevokeNotFound = 2021,
  // sevu.addstreamuser
  kStreamUserNotCreated = 2070,
  kStreamUserAdded = 2071,
  kStreamUserLimitReached = 2072,
  // sevu.liststreamusers
  kStreamUsersNotFound = 2090,
  kStreamUsersFound = 2091,
  // sevu.retrievestreamuser
  kStreamUserFound = 2092,
  kStreamUserNotFound = 2093,
  // sevu.removestreamuser
  kStreamUserRemoved = 2094,
  kRemoveStreamUserNotFound = 2095,
  // sevu.updatestream (plus 9, 10, 11)
  kStreamUpdated = 2096,
  kUpdateStreamNotFound = 2097,
  kStreamFieldInvalid = 2098,  // also a bad id / filter of the stream-user commands
  // sevu.attempts / sevu.errorlog / sevu.errorcount
  kNoAttempts = 2100,
  kAttemptsFound = 2101,
  kBadFilter = 2102,
  kAttemptsCounted = 2110,
};

struct CodeInfo {
  Code code;
  bool success;         // envelope status "success" or "failure"
  const char* message;  // some codes append ": <detail>"
  // Upstream's fixed texts (9, 10, 11, 2072) stay exactly as upstream writes
  // them, so clients that compare messages keep working: a detail goes into a
  // "detail" member of the reply instead of after ": ".
  bool verbatim = false;
};

const CodeInfo& code_info(Code code);
const std::vector<CodeInfo>& all_codes();

// Code 3's message when the signature is valid but was already used.
constexpr std::string_view kReplayMessage =
    "Failed HMAC-SHA256 Signature. Replayed request: this signature was already used";

}  // namespace sevu::legacy

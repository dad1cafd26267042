// The response codes of the legacy API with their status and message: global
// codes and the ticket and attempt commands here, the stream-user commands' rows
// in stream_user_codes.cpp; all_codes() joins the two (docs/legacy-api.md lists
// both). Global codes and 2000-2004, 2100, 2101 are upstream's; 2010-2021, 2102
// and 2110 are this project's (decided).
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
};

const CodeInfo& code_info(Code code);
const std::vector<CodeInfo>& all_codes();

// Code 3's message when the signature is valid but was already used.
constexpr std::string_view kReplayMessage =
    "Failed HMAC-SHA256 Signature. Replayed request: this signature was already used";

}  // namespace sevu::legacy

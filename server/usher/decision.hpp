// The usher's decision for one playback start (docs/hooks.md). Pure: no I/O, no clock
// of its own; the caller loads the ticket, passes `now`, and stores the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/records.hpp"

namespace sevu::usher {

enum class Reason {
  kInvalidAuthToken,  // key unknown or pass differs
  kAccountDisabled,   // the ticket's account is disabled (checked after the pass)
  kTokenRevoked,
  kExpired,
  kWrongApplication,
  kExceededMaxViews,
  kInvalidIp,
  kWrongVideo,
  kTooManyViewers,  // the ticket's max_viewers sessions are live and when_full is "deny"
  kSessionEnded,    // the viewer's session was ended (the API, a bump): its next contact
  kSuccess,
};

// The exact reason strings logged in attempts ("Invalid Auth Token", ...).
const char* reason_text(Reason r);

// Views of what the viewer sent, as the caller holds it: the rules read them
// during one call and keep none (docs/performance.md, "The session's key read
// in place").
struct PlayRequest {
  std::string_view key, pass, ip, app, video;
  // The app lies in another account's namespace ("<username>-..." of an account
  // that does not own the ticket): the app check fails whatever the patterns say,
  // so one tenant's tickets never open another tenant's streams.
  bool app_owned_elsewhere = false;
  // The ticket's account is enabled. A disabled account's tickets stop playing
  // (docs/operations.md, Accounts); the check comes right after the pass, so a
  // guesser learns nothing about the account.
  bool account_active = true;
};

struct Decision {
  Reason reason = Reason::kInvalidAuthToken;
  // The ticket's ip list after this start: equal to the ticket's unless an
  // "auto" entry was bound to the client's address/network by this start.
  std::string ip_after;
  bool granted() const { return reason == Reason::kSuccess; }
};

// ticket == nullptr means the key is unknown. Checks in the documented order; the first
// failing check is the reason. Expiry is exclusive: now == expires still plays.
// Does not modify the ticket: on success the caller stores ip_after (and spends
// the use); on any refusal ip_after is the ticket's ip (empty when ticket is null).
Decision decide(const Ticket* ticket, const PlayRequest& req, int64_t now);

// Same checks minus uses and binding: may a session that already started keep
// going (nginx-rtmp on_update, HLS segments)? A client that would have to bind a
// free auto slot is refused (kInvalidIp). Returns kSuccess or the failing reason.
Reason recheck(const Ticket& ticket, const PlayRequest& req, int64_t now);

// The viewer limit, checked after every other check of a start passed
// (docs/sessions.md): with `live` sessions of the ticket open, may one more
// open, and how many of the oldest must end for it?
struct LimitRuling {
  bool refused = false;         // kTooManyViewers
  std::size_t end_oldest = 0;  // sessions to end first, oldest first
};
LimitRuling rule_limit(const Ticket& ticket, std::size_t live);

// What the ticket's when_full may say.
inline constexpr const char* kWhenFullDeny = "deny";
inline constexpr const char* kWhenFullEndOldest = "end_oldest";
// True when v is one of them (the APIs refuse anything else).
inline bool valid_when_full(std::string_view v) {
  return v == kWhenFullDeny || v == kWhenFullEndOldest;
}

}  // namespace sevu::usher

// "YYYY-MM-DD HH:MM:SS" (UTC) is the wire format for every date; the forms
// accepted on input are listed in docs/legacy-api.md and docs/v2-api.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu {

// Every date the server accepts or writes lies in the years 1970..9999: the
// wire format has four year digits, and nothing of a ticket predates 1970.
constexpr int64_t kMinDatetime = 0;             // 1970-01-01 00:00:00
constexpr int64_t kMaxDatetime = 253402300799;  // 9999-12-31 23:59:59

// unix_seconds when it lies in kMinDatetime..kMaxDatetime (a client's unix
// seconds given as a JSON integer), else nullopt.
std::optional<int64_t> datetime_in_range(int64_t unix_seconds);

// How 0 is written: never used, no date. A date read where a never-used
// ticket's used_date may come back (a v2 filter, a test fixture) takes it too.
inline constexpr std::string_view kNeverDatetime = "0000-00-00 00:00:00";

// 0 formats as kNeverDatetime. A value outside
// the range (only ever from a database written by an older version) is
// clamped to the nearest end, so a written date can always be read back.
std::string format_datetime(int64_t unix_seconds);
// The same for a date that is always one, where 0 is 1970-01-01 00:00:00: a
// ticket's expiry (an expiry in 1970 is how a client expires a ticket early).
std::string format_date(int64_t unix_seconds);

// Accepts, all UTC unless an offset is given, ignoring surrounding whitespace:
//   "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM", "YYYY-MM-DD" (midnight);
//   ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM]";
//   RFC 2822 "[Wed, ]02 Dec 2026 10:00[:00] [+0000|-0500|GMT|UT|UTC|Z]"
//     (a weekday must be the date's);
//   "@<unix seconds>";
//   "now", "tomorrow" (next midnight), and/or relative terms "[+|-]N unit[s]"
//     separated by spaces ("+1 day +2 hours", "tomorrow +10 hours"), unit
//     second|minute|hour|day|week|month|year, case-insensitive; months and
//     years move the calendar as PHP's strtotime does (January 31 + 1 month
//     is March 3, or 2 in a leap year), every term's months before the rest.
// Returns nullopt for anything else, for impossible dates (2023-02-30), and for
// results outside 1970..9999 (after applying any offset).
std::optional<int64_t> parse_datetime(std::string_view text, int64_t now);

}  // namespace sevu

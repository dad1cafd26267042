// "YYYY-MM-DD HH:MM:SS" (UTC) is the wire format for every date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu {

// 0 formats as "0000-00-00 00:00:00" (never used / no date).
std::string format_datetime(int64_t unix_seconds);

// Accepts, all UTC unless an offset is given:
//   "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM", "YYYY-MM-DD" (midnight),
//   ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]",
//   relative "+N unit(s)" / "N unit(s)" with unit second|minute|hour|day|week|month|year
//   (month = 30 days, year = 365 days), relative to `now`.
// Returns nullopt for anything else, including impossible dates (2023-02-30).
std::optional<int64_t> parse_datetime(std::string_view text, int64_t now);

}  // namespace sevu

// Five-field crontab expressions for segment_type "schedule" (sevu.addstreamuser).
// The grammar is the standard one and nothing more, so that whatever recorder
// later runs the schedule reads it the same way we validated it:
//   expr  := field (SEP field){4}          SEP = one or more spaces/tabs
//   field := item (',' item)*
//   item  := ('*' | value | value '-' value) ['/' step]
//   value := digits | 3-letter name (month: jan..dec, day of week: sun..sat; any case)
// "N/S" means N-max/S. Ranges must not be reversed; step is 1..field span.
// Rejected: @macros, any field count but 5, empty items, out-of-range values,
// '?', 'L', 'W', '#', leading/trailing whitespace and any other character.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu::legacy {

// Bit v is set when value v is selected.
struct CronSchedule {
  uint64_t minute = 0;        // bits 0..59
  uint64_t hour = 0;          // bits 0..23
  uint64_t day_of_month = 0;  // bits 1..31
  uint64_t month = 0;         // bits 1..12
  uint64_t day_of_week = 0;   // bits 0..6, 0 = Sunday (7 is folded into 0)
};

struct CrontabResult {
  std::optional<CronSchedule> schedule;  // set when the expression is valid
  std::string error;                     // why it is not, e.g. "hour: 24 is out of range 0-23"
};

// Longer input is rejected outright; every real schedule is far shorter.
constexpr std::size_t kMaxCrontabLength = 512;

CrontabResult parse_crontab(std::string_view text);

}  // namespace sevu::legacy

// The filters of sevu.attempts / sevu.errorlog / sevu.errorcount, read from the
// request. Every given filter narrows the result (they combine with AND).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/records.hpp"

namespace sevu::legacy {

constexpr int64_t kDefaultAttemptLimit = 100;
constexpr int64_t kMaxAttemptLimit = 1000;

struct AttemptFilterResult {
  std::optional<AttemptFilter> filter;
  std::string bad_field;  // when !filter: the first field with an invalid value
};

// key, app, video, ip, pass: strings, matched exactly.
// starttime / datetime: a date, datetime or relative time (see time_value, or
//   unix seconds as a JSON integer); attempts on or after it. Both given: the later.
// success: 0/1 as number, string or boolean.
// limit (1..1000, default 100) and seek (>= 0) only when with_paging.
AttemptFilterResult read_attempt_filter(const rapidjson::Value& request, int64_t now,
                                        bool with_paging);

}  // namespace sevu::legacy

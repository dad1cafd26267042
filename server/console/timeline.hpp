// The timeline's buckets (docs/console.md): pure arithmetic, so it is tested
// apart from the store that counts into them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/records.hpp"

namespace sevu::console {

inline constexpr int64_t kMinute = 60;
inline constexpr int64_t kMaxBuckets = 400;
inline constexpr int64_t kMinuteStepRange = 6 * 3600;  // up to this, one bucket a minute

// The bucket width for [from, to]: 60 for ranges up to 6 hours, else the
// smallest multiple of 60 that keeps the buckets at most kMaxBuckets.
int64_t timeline_step(int64_t from, int64_t to);

// The first bucket's start: from rounded down to a multiple of step.
int64_t first_bucket(int64_t from, int64_t step);

// How many buckets of `step` from `start` cover up to `to`.
int64_t bucket_count(int64_t start, int64_t to, int64_t step);

// One series of the chart: an outcome and reason, a count per bucket.
struct Series {
  bool success = false;
  std::string reason;
  std::vector<int64_t> counts;
};

// The store's buckets spread into series: granted first, then by reason.
std::vector<Series> to_series(const std::vector<AttemptBucket>& buckets, int64_t start,
                              int64_t step, int64_t count);

}  // namespace sevu::console

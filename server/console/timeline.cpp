#include "console/timeline.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace sevu::console {

int64_t first_bucket(int64_t from, int64_t step) {
  return from - from % step;
}

int64_t bucket_count(int64_t start, int64_t to, int64_t step) {
  return to < start ? 0 : (to - start) / step + 1;
}

int64_t timeline_step(int64_t from, int64_t to) {
  const int64_t range = std::max<int64_t>(to - from, 0);
  if (range <= kMinuteStepRange) return kMinute;
  int64_t step = (range / kMaxBuckets + kMinute - 1) / kMinute * kMinute;
  // Rounding from down to the step may add a bucket at either end.
  while (bucket_count(first_bucket(from, step), to, step) > kMaxBuckets) step += kMinute;
  return step;
}

std::vector<Series> to_series(const std::vector<AttemptBucket>& buckets, int64_t start,
                              int64_t step, int64_t count) {
  // Granted (true) sorts first, then reasons in byte order.
  std::map<std::pair<bool, std::string>, std::vector<int64_t>, std::greater<>> by_kind;
  for (const AttemptBucket& b : buckets) {
    const int64_t i = (b.start - start) / step;
    if (i < 0 || i >= count) continue;
    auto& counts = by_kind[{b.success, b.reason}];
    counts.resize(static_cast<std::size_t>(count), 0);
    counts[static_cast<std::size_t>(i)] += b.count;
  }
  std::vector<Series> out;
  for (auto& [kind, counts] : by_kind) out.push_back(Series{kind.first, kind.second, std::move(counts)});
  // std::greater put reasons in reverse order within each outcome; put them back.
  std::stable_sort(out.begin(), out.end(), [](const Series& a, const Series& b) {
    if (a.success != b.success) return a.success;
    return a.reason < b.reason;
  });
  return out;
}

}  // namespace sevu::console

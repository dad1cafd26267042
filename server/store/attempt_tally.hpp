// The hourly attempt totals (schema/0004_attempt_counts.sql) that an open
// SQLite write transaction owes. Until 2026-12 a trigger added 1 to the hour's
// total for every attempt row: a B-tree seek and an update per row, 1.3-2 us
// of the group-commit writer's 6 us per refused start (side by side,
// docs/performance.md, "Hourly totals once per batch"). A batch of refusals falls in one or two
// hours, so the store now counts them here and writes each hour's total once,
// just before COMMIT.
//
// It follows the transaction: a savepoint that rolls back takes back what was
// counted inside it (undo_to), a rolled-back transaction takes back everything
// (clear), and a count read inside the transaction adds what is still pending
// (pending), so the totals never disagree with the rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sevu {

class AttemptTally {
 public:
  static constexpr int64_t kHour = 3600;  // the totals' unit (schema/0004_attempt_counts.sql)

  struct Hour {
    int64_t cdn_id = 0;
    int64_t hour = 0;  // datetime / kHour, as the schema's totals have it
    bool success = false;
    bool operator==(const Hour& o) const {
      return cdn_id == o.cdn_id && hour == o.hour && success == o.success;
    }
  };

  // One attempt row written (call only once its INSERT succeeded).
  void add(int64_t cdn_id, int64_t datetime, bool success) {
    added_.push_back(Hour{cdn_id, datetime / kHour, success});
  }

  // Where a savepoint begins; undo_to() takes back what was added after it.
  std::size_t mark() const { return added_.size(); }
  void undo_to(std::size_t mark) {
    if (mark < added_.size()) added_.resize(mark);
  }
  void clear() { added_.clear(); }

  // The rows counted here and not yet written, of one account, from an hour
  // on, of one outcome or both (as the totals are summed).
  int64_t pending(int64_t cdn_id, int64_t first_hour, std::optional<bool> success) const {
    int64_t n = 0;
    for (const Hour& h : added_) {
      if (h.cdn_id == cdn_id && h.hour >= first_hour && (!success || h.success == *success)) ++n;
    }
    return n;
  }

  // Each hour's count, in the order first seen; the tally is empty after.
  std::vector<std::pair<Hour, int64_t>> take() {
    std::vector<std::pair<Hour, int64_t>> totals;
    for (const Hour& h : added_) {
      auto it = totals.begin();
      while (it != totals.end() && !(it->first == h)) ++it;  // a batch spans one or two hours
      if (it == totals.end()) {
        totals.emplace_back(h, 1);
      } else {
        ++it->second;
      }
    }
    added_.clear();
    return totals;
  }

 private:
  std::vector<Hour> added_;
};

}  // namespace sevu

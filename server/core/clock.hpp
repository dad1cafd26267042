// Server time. Ticket time (expiry, dates, sessions) may be moved by the test
// clock; request-signature freshness always uses wall(), so signed clients keep
// working while tests travel in time.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>

#include "core/datetime.hpp"

namespace sevu {

class Clock {
 public:
  int64_t wall() const;  // unix seconds, system clock
  int64_t now() const {
    const int64_t frozen = frozen_.load(std::memory_order_relaxed);
    if (frozen != kRunning) return frozen;
    const int64_t since_anchor = wall_micros() - anchor_micros_.load(std::memory_order_relaxed);
    return floor_seconds(since_anchor) + offset_.load(std::memory_order_relaxed);
  }
  // Ticket time runs on from here, as the wall clock does, but a whole second
  // from this moment rather than from the wall's next tick: a test that sets
  // the clock and at once makes a ticket sees the date it set, wherever in the
  // wall's second the set fell (docs/operations.md, "Test clock").
  // Kept within the dates ticket time may show: 1970-01-01 00:00:01 to
  // 9999-12-31 23:59:59; not the epoch itself, which every stored date reads
  // as "never" (0000-00-00 00:00:00).
  void set(int64_t unix_seconds) {
    unix_seconds = std::clamp(unix_seconds, kMinDatetime + 1, kMaxDatetime);
    const int64_t micros = wall_micros();
    frozen_.store(kRunning);
    anchor_micros_.store(micros % kMicros);
    offset_.store(unix_seconds - micros / kMicros);
  }
  // Ticket time stands still here until set() or use_wall(): a test that
  // compares exact dates must not see a wall second pass between its steps.
  void freeze(int64_t unix_seconds) { frozen_.store(unix_seconds); }
  // A running clock moves to now() + seconds, stopping at the first and last
  // dates the server writes, and, as after set(), shows that for a whole second. A frozen clock belongs to one test thread, so its
  // branch need not be one atomic step; the server's test routes only ever
  // move a running clock.
  void advance(int64_t seconds) {
    const int64_t frozen = frozen_.load();
    if (frozen != kRunning) {
      frozen_.store(frozen + seconds);
    } else {
      set(moved_within_dates(now(), seconds));
    }
  }
  void use_wall() {  // back to the system clock
    frozen_.store(kRunning);
    anchor_micros_.store(0);
    offset_.store(0);
  }

 private:
  static constexpr int64_t kRunning = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kMicros = 1000000;
  static int64_t wall_micros();
  static int64_t moved_within_dates(int64_t from, int64_t seconds) {
    if (seconds > kMaxDatetime - from) return kMaxDatetime;
    if (seconds < kMinDatetime - from) return kMinDatetime;
    return from + seconds;
  }
  // Unix microseconds are never negative before the year 292,277, but an
  // anchor a fraction of a second later can make the difference so.
  static int64_t floor_seconds(int64_t micros) {
    return micros >= 0 ? micros / kMicros : -((-micros + kMicros - 1) / kMicros);
  }
  // now() = whole seconds since the wall showed anchor_micros_ within some
  // second, plus offset_. A reader racing set() may mix the old anchor with the
  // new offset: one second off, once, while a test moves the clock.
  std::atomic<int64_t> anchor_micros_{0};
  std::atomic<int64_t> offset_{0};
  std::atomic<int64_t> frozen_{kRunning};
};

}  // namespace sevu

// Server time. Ticket time (expiry, dates, sessions) may be moved by the test
// clock; request-signature freshness always uses wall(), so signed clients keep
// working while tests travel in time.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

namespace sevu {

class Clock {
 public:
  int64_t wall() const;  // unix seconds, system clock
  int64_t now() const {
    const int64_t frozen = frozen_.load(std::memory_order_relaxed);
    return frozen != kRunning ? frozen : wall() + offset_.load(std::memory_order_relaxed);
  }
  // Ticket time runs on from here, as the wall clock does.
  void set(int64_t unix_seconds) {
    frozen_.store(kRunning);
    offset_.store(unix_seconds - wall());
  }
  // Ticket time stands still here until set() or use_wall(): a test that
  // compares exact dates must not see a wall second pass between its steps.
  void freeze(int64_t unix_seconds) { frozen_.store(unix_seconds); }
  // A frozen clock belongs to one test thread, so its branch need not be one
  // atomic step; the server's test routes only ever offset a running clock.
  void advance(int64_t seconds) {
    const int64_t frozen = frozen_.load();
    if (frozen != kRunning) {
      frozen_.store(frozen + seconds);
    } else {
      offset_.fetch_add(seconds);
    }
  }
  void use_wall() {  // back to the system clock
    frozen_.store(kRunning);
    offset_.store(0);
  }

 private:
  static constexpr int64_t kRunning = std::numeric_limits<int64_t>::min();
  std::atomic<int64_t> offset_{0};
  std::atomic<int64_t> frozen_{kRunning};
};

}  // namespace sevu

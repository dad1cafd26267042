// Server time. Ticket time (expiry, dates, sessions) may be moved by the test
// clock; request-signature freshness always uses wall(), so signed clients keep
// working while tests travel in time.
#pragma once

#include <atomic>
#include <cstdint>

namespace sevu {

class Clock {
 public:
  int64_t wall() const;  // unix seconds, system clock
  int64_t now() const { return wall() + offset_.load(std::memory_order_relaxed); }
  void set(int64_t unix_seconds) { offset_.store(unix_seconds - wall()); }
  void advance(int64_t seconds) { offset_.fetch_add(seconds); }
  void use_wall() { offset_.store(0); }  // back to the system clock

 private:
  std::atomic<int64_t> offset_{0};
};

}  // namespace sevu

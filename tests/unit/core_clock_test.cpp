// Clock: ticket time moved by tests, running on or standing still.
#include "core/clock.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using sevu::Clock;

namespace {

constexpr int64_t kT = 1906545600;  // 2030-06-01 12:00:00 UTC

// Sleeps until the wall clock has shown a new second, so "time passed" is
// certain rather than likely.
void wait_for_next_wall_second(const Clock& clock) {
  const int64_t start = clock.wall();
  while (clock.wall() == start) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

TEST_CASE("a frozen clock stands still while the wall clock moves, and advance moves it") {
  Clock clock;
  clock.freeze(kT);
  wait_for_next_wall_second(clock);
  CHECK(clock.now() == kT);
  clock.advance(90);
  CHECK(clock.now() == kT + 90);
  wait_for_next_wall_second(clock);
  CHECK(clock.now() == kT + 90);
}

TEST_CASE("set and use_wall let a frozen clock run again") {
  Clock clock;
  clock.freeze(kT);
  clock.set(kT);
  wait_for_next_wall_second(clock);
  CHECK(clock.now() > kT);
  CHECK(clock.now() <= kT + 5);

  clock.freeze(kT);
  clock.use_wall();
  const int64_t wall = clock.wall();
  CHECK(clock.now() >= wall);
  CHECK(clock.now() <= wall + 1);
}

// Clock: ticket time moved by tests, running on or standing still.
#include "core/clock.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <limits>
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

// Samples now() until 0.95 s after `start`; false if it ever read other than
// `expected` in that time.
bool reads_for_a_second(const Clock& clock, int64_t expected,
                        std::chrono::steady_clock::time_point start) {
  using namespace std::chrono;
  for (;;) {
    const int64_t read = clock.now();
    const auto elapsed = steady_clock::now() - start;
    if (elapsed >= milliseconds(950)) return true;
    if (read != expected) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

TEST_CASE("a set or advanced clock reads what it was given for a whole second, then runs on") {
  using namespace std::chrono;
  Clock clock;
  // Late in a wall second, where a clock counting the wall's ticks would move
  // within a few hundred milliseconds.
  wait_for_next_wall_second(clock);
  std::this_thread::sleep_for(milliseconds(600));
  auto start = steady_clock::now();
  clock.set(kT);
  CHECK(reads_for_a_second(clock, kT, start));
  std::this_thread::sleep_for(milliseconds(200));
  CHECK(clock.now() >= kT + 1);
  CHECK(clock.now() <= kT + 5);

  wait_for_next_wall_second(clock);
  std::this_thread::sleep_for(milliseconds(600));
  start = steady_clock::now();
  const int64_t before = clock.now();
  clock.advance(60);
  const int64_t moved = clock.now();
  CHECK(moved >= before + 60);
  CHECK(moved <= before + 61);
  CHECK(reads_for_a_second(clock, moved, start));
}

TEST_CASE("advance stops at the first and last dates") {
  Clock clock;
  clock.set(kT);
  clock.advance(std::numeric_limits<int64_t>::max());
  CHECK(clock.now() >= sevu::kMaxDatetime);
  CHECK(clock.now() <= sevu::kMaxDatetime + 2);
  clock.advance(std::numeric_limits<int64_t>::min());
  CHECK(clock.now() >= sevu::kMinDatetime);
  CHECK(clock.now() <= sevu::kMinDatetime + 2);
}

TEST_CASE("set and use_wall let a frozen clock run again") {
  Clock clock;
  clock.freeze(kT);
  clock.set(kT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (clock.now() == kT && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(clock.now() > kT);
  CHECK(clock.now() <= kT + 5);

  clock.freeze(kT);
  clock.use_wall();
  const int64_t wall = clock.wall();
  CHECK(clock.now() >= wall);
  CHECK(clock.now() <= wall + 1);
}

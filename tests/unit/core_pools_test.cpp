// The background pools: LanePool (bounded, lanes served in turn) and DelayQueue.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/delay_queue.hpp"
#include "core/lane_pool.hpp"

using namespace std::chrono;
using sevu::DelayQueue;
using sevu::LanePool;

namespace {

// Holds the one worker until released, so that queued jobs stay queued.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  bool entered = false;
  void wait() {
    std::unique_lock<std::mutex> lock(m);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void wait_entered() {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [this] { return entered; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(m);
    open = true;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("lane pool: a full lane or a full pool refuses at once") {
  Gate gate;
  LanePool pool(1, 5, 2);
  std::atomic<int> ran{0};
  auto job = [&] { ran++; };
  REQUIRE(pool.submit("blocker", [&] { gate.wait(); }));
  gate.wait_entered();
  CHECK(pool.submit("a", job));
  CHECK(pool.submit("a", job));
  CHECK_FALSE(pool.submit("a", job));  // lane a is full
  CHECK(pool.submit("b", job));
  CHECK(pool.submit("c", job));
  CHECK(pool.submit("d", job));
  CHECK_FALSE(pool.submit("e", job));  // the pool is full
  gate.release();
  pool.stop();  // runs what was queued
  CHECK(ran == 5);
  CHECK_FALSE(pool.submit("a", job));
  CHECK(ran == 5);
}

TEST_CASE("lane pool: lanes are served in turn, so a busy lane cannot starve another") {
  Gate gate;
  LanePool pool(1, 100, 100);
  std::mutex m;
  std::vector<std::string> order;
  auto job = [&](std::string name) {
    return [&, name] {
      std::lock_guard<std::mutex> lock(m);
      order.push_back(name);
    };
  };
  REQUIRE(pool.submit("flood", [&] { gate.wait(); }));
  gate.wait_entered();
  for (int i = 0; i < 5; ++i) REQUIRE(pool.submit("flood", job("f")));
  REQUIRE(pool.submit("quiet", job("q")));
  gate.release();
  pool.stop();
  REQUIRE(order.size() == 6);
  CHECK(order[1] == "q");  // right after the flood's first turn, not after all five
}

TEST_CASE("delay queue: runs each job after its delay, sooner ones first") {
  DelayQueue q(10);
  std::mutex m;
  std::vector<int> order;
  const auto start = steady_clock::now();
  std::vector<milliseconds> when(2);
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard<std::mutex> lock(m);
      order.push_back(n);
      when[static_cast<std::size_t>(n)] = duration_cast<milliseconds>(steady_clock::now() - start);
    };
  };
  REQUIRE(q.after(milliseconds(150), record(1)));
  REQUIRE(q.after(milliseconds(30), record(0)));
  auto ran_both = [&] {
    std::lock_guard<std::mutex> lock(m);
    return order.size() == 2;
  };
  for (int i = 0; i < 500 && !ran_both(); ++i) std::this_thread::sleep_for(milliseconds(10));
  q.stop();
  REQUIRE(order == std::vector<int>{0, 1});
  CHECK(when[0] >= milliseconds(30));
  CHECK(when[1] >= milliseconds(150));
}

TEST_CASE("delay queue: bounded; stop runs what waits at once") {
  DelayQueue q(2);
  std::atomic<int> ran{0};
  CHECK(q.after(seconds(3600), [&] { ran++; }));
  CHECK(q.after(seconds(3600), [&] { ran++; }));
  CHECK_FALSE(q.after(seconds(1), [&] { ran++; }));
  const auto start = steady_clock::now();
  q.stop();
  CHECK(ran == 2);
  CHECK(steady_clock::now() - start < seconds(60));
  CHECK_FALSE(q.after(milliseconds(1), [&] { ran++; }));
}

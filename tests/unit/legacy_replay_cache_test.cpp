// The replay memory: a signature is accepted once while its request is fresh.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "legacy/replay_cache.hpp"

using sevu::ReplayCache;

TEST_CASE("a second use within the window is a replay") {
  ReplayCache cache;
  CHECK(cache.remember("sigA", 1000, 300));
  CHECK_FALSE(cache.remember("sigA", 1000, 300));
  CHECK_FALSE(cache.remember("sigA", 1300, 300));  // the window's last second still counts
  CHECK(cache.remember("sigB", 1000, 300));        // other signatures are independent
  CHECK(cache.remember("sigA", 1301, 300));        // past the window it is new again
}

TEST_CASE("remember_until keeps a future-dated request's signature long enough") {
  ReplayCache cache;
  // timestamp = now + 300 is fresh until now + 600.
  CHECK(cache.remember_until("future", 1000, 1600));
  CHECK_FALSE(cache.remember_until("future", 1500, 1600));
  CHECK_FALSE(cache.remember_until("future", 1600, 1600));
  CHECK(cache.remember_until("future", 1601, 1600));
}

TEST_CASE("expired entries are pruned, live ones kept") {
  ReplayCache cache;
  for (int i = 0; i < 100; ++i) cache.remember("old" + std::to_string(i), 1000, 10);
  cache.remember("live", 1005, 100);
  CHECK(cache.size() == 101);
  cache.remember("trigger", 1011, 10);
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.remember("live", 1012, 100));
}

TEST_CASE("concurrent uses of one signature: exactly one wins") {
  ReplayCache cache;
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    const std::string sig = "sig" + std::to_string(round);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        if (cache.remember(sig, 1000 + round, 300)) accepted++;
      });
    }
    for (auto& th : threads) th.join();
    CHECK(accepted == 1);
  }
}

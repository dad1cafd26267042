// StorePool with real SQLite connections: exact results under concurrency,
// back-pressure, draining on stop, and workers that survive failing jobs.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/store_pool.hpp"
#include "temp_dir.hpp"

namespace {

using namespace sevu;

// A database with account 158 and one ticket "k" holding `uses`.
std::string seeded_db(const TempDir& dir, int64_t uses) {
  const auto path = dir.file("sevu.db");
  auto store = open_sqlite_store(path);
  Account a;
  a.cdn_id = 158;
  a.username = "acme";
  a.api_key = "K";
  a.secret = "S";
  REQUIRE(store->insert_account(a));
  Ticket t;
  t.cdn_id = 158;
  t.key = "k";
  t.pass = "p";
  t.video = "v";
  t.app = "acme-live";
  t.uses = uses;
  REQUIRE(store->insert_ticket(t));
  return path;
}

int64_t uses_of(const std::string& path) {
  return open_sqlite_store(path)->ticket(158, "k")->uses;
}

// Waits (bounded) until the pool's queue is empty.
bool wait_until_empty(const StorePool& pool) {
  for (int i = 0; i < 5000 && pool.queued() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pool.queued() == 0;
}

// Occupies a pool's only worker until release(), so that the jobs submitted
// meanwhile wait in its queue.
class HeldWorker {
 public:
  explicit HeldWorker(StorePool& pool) : until_(release_.get_future().share()) {
    std::promise<void> started;
    auto held = started.get_future();
    REQUIRE(pool.submit([&started, until = until_](Store&) {
      started.set_value();
      until.wait();
    }));
    held.wait();
    REQUIRE(wait_until_empty(pool));
  }
  void release() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> until_;
};

}  // namespace

TEST_CASE("concurrent read-modify-write inside transaction() loses nothing") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  constexpr int kIncrements = 600;
  constexpr int kDecrements = 200;
  std::atomic<int> failures{0};
  std::mutex seen_mutex;
  std::set<Store*> seen;
  {
    StorePool pool([&] { return open_sqlite_store(path); }, 4, 10000);
    for (int i = 0; i < kIncrements + kDecrements; ++i) {
      const int64_t delta = i % 4 == 3 ? -1 : 1;
      REQUIRE(pool.submit([&, delta](Store& store) {
        try {
          store.transaction([&] {
            auto t = store.ticket(158, "k");
            if (!t) throw std::runtime_error("ticket vanished");
            std::this_thread::yield();  // widen the read-modify-write window
            t->uses += delta;
            if (!store.update_ticket(*t)) throw std::runtime_error("update failed");
          });
        } catch (...) {
          ++failures;
        }
        std::lock_guard<std::mutex> lock(seen_mutex);
        seen.insert(&store);
      }));
    }
    pool.stop();
  }
  CHECK(failures == 0);
  CHECK(uses_of(path) == kIncrements - kDecrements);
  CHECK(seen.size() >= 1);
  CHECK(seen.size() <= 4);
}

TEST_CASE("concurrent spends grant exactly the uses there are") {
  TempDir dir;
  const auto path = seeded_db(dir, 37);
  std::atomic<int> granted{0};
  std::atomic<int> failures{0};
  {
    StorePool pool([&] { return open_sqlite_store(path); }, 3, 1000);
    for (int i = 0; i < 200; ++i) {
      REQUIRE(pool.submit([&](Store& store) {
        try {
          bool ok = false;
          store.transaction([&] {
            auto t = store.ticket_by_key("k");
            if (t && t->uses > 0) {
              --t->uses;
              ok = store.update_ticket(*t);
            }
          });
          if (ok) ++granted;
        } catch (...) {
          ++failures;
        }
      }));
    }
  }  // the destructor drains the queue
  CHECK(failures == 0);
  CHECK(granted == 37);
  CHECK(uses_of(path) == 0);
}

TEST_CASE("submit refuses work beyond max_queue and after stop") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  StorePool pool([&] { return open_sqlite_store(path); }, 1, 2);
  std::atomic<int> ran{0};

  HeldWorker held(pool);
  CHECK(pool.submit([&](Store&) { ++ran; }));
  CHECK(pool.submit([&](Store&) { ++ran; }));
  CHECK(pool.queued() == 2);
  CHECK_FALSE(pool.submit([&](Store&) { ++ran; }));  // full: caller answers "busy"
  CHECK_FALSE(pool.submit(nullptr));
  held.release();
  pool.stop();
  CHECK(ran == 2);
  CHECK_FALSE(pool.submit([&](Store&) { ++ran; }));
  pool.stop();  // idempotent
  CHECK(ran == 2);
}

TEST_CASE("stop runs every queued job before joining") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  std::atomic<int> ran{0};
  StorePool pool([&] { return open_sqlite_store(path); }, 2, 100);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(pool.submit([&](Store& store) {
      store.insert_attempt(Attempt{});
      ++ran;
    }));
  }
  pool.stop();
  CHECK(ran == 50);
  CHECK(open_sqlite_store(path)->count_attempts(0, {}) == 50);
}

TEST_CASE("a throwing job does not take its worker down") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  std::atomic<int> ran{0};
  StorePool pool([&] { return open_sqlite_store(path); }, 1, 10);
  REQUIRE(pool.submit([](Store&) { throw std::runtime_error("job failed on purpose"); }));
  REQUIRE(pool.submit([](Store&) { throw 42; }));
  REQUIRE(pool.submit([](Store& store) { (void)store.ticket(158, "missing").value(); }));
  REQUIRE(pool.submit([&](Store& store) {
    if (store.ticket(158, "k")) ++ran;
  }));
  pool.stop();
  CHECK(ran == 1);
}

TEST_CASE("open errors surface from the constructor") {
  TempDir dir;
  int opened = 0;
  CHECK_THROWS_AS(StorePool(
                      [&]() -> std::unique_ptr<Store> {
                        if (++opened == 2) return open_sqlite_store(dir.file("no/such/dir.db"));
                        return open_sqlite_store(dir.file("ok.db"));
                      },
                      3, 10),
                  StoreError);
  CHECK(opened == 2);
  CHECK_THROWS_AS(StorePool([] { return std::unique_ptr<Store>(); }, 1, 10), StoreError);
}

TEST_CASE("zero workers still means one") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  std::promise<int64_t> uses;
  StorePool pool([&] { return open_sqlite_store(path); }, 0, 10);
  REQUIRE(pool.submit([&](Store& store) { uses.set_value(store.ticket(158, "k")->uses); }));
  auto future = uses.get_future();
  REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(future.get() == 0);
}

TEST_CASE("hook jobs have their own queue budget and run before waiting API jobs") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  StorePool pool([&] { return open_sqlite_store(path); }, 1, 2, 0);  // no worker of their own
  std::mutex order_mutex;
  std::vector<std::string> order;
  auto record = [&](std::string name) {
    return [&, name](Store&) {
      std::lock_guard<std::mutex> lock(order_mutex);
      order.push_back(name);
    };
  };

  HeldWorker held(pool);  // while both lanes fill
  CHECK(pool.submit(record("api1")));
  CHECK(pool.submit(record("api2")));
  CHECK_FALSE(pool.submit(record("api3")));  // the API lane is full ...
  CHECK(pool.submit(record("hook1"), StorePool::Lane::hooks));  // ... the hooks' is not
  CHECK(pool.submit(record("hook2"), StorePool::Lane::hooks));
  CHECK_FALSE(pool.submit(record("hook3"), StorePool::Lane::hooks));
  CHECK(pool.queued() == 4);
  held.release();
  pool.stop();
  CHECK(order == std::vector<std::string>{"hook1", "hook2", "api1", "api2"});
}

TEST_CASE("the hook lane's own worker serves hooks while every shared worker is busy") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  StorePool pool([&] { return open_sqlite_store(path); }, 2, 16);  // 2 shared + 1 for hooks
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> holding{0};
  for (int i = 0; i < 4; ++i) {  // heavy API reads: more than the shared workers
    REQUIRE(pool.submit([&](Store&) {
      holding++;
      released.wait();
    }));
  }
  while (holding < 2) std::this_thread::yield();  // both shared workers are taken
  std::promise<int64_t> hook;
  REQUIRE(pool.submit([&](Store& store) { hook.set_value(store.ticket(158, "k")->uses); },
                      StorePool::Lane::hooks));
  auto answered = hook.get_future();
  // Liveness only: the hook job must not wait for the API jobs to end.
  CHECK(answered.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  CHECK(holding == 2);  // the other API jobs still wait: the shared workers are held
  release.set_value();
  pool.stop();
}

// Each hook job wakes one worker: the hook lane's own when it is idle. While it
// is busy, a hook job must wake a shared worker instead of waiting behind it.
TEST_CASE("a hook job queued while the hook lane's worker is busy is taken by a shared worker") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  StorePool pool([&] { return open_sqlite_store(path); }, 2, 16);  // 2 shared + 1 for hooks
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> holding{0};
  // Hook jobs that hold their worker: the first takes the idle hook worker.
  REQUIRE(pool.submit(
      [&](Store&) {
        holding++;
        released.wait();
      },
      StorePool::Lane::hooks));
  while (holding < 1) std::this_thread::yield();
  std::promise<void> second;
  REQUIRE(pool.submit([&](Store&) { second.set_value(); }, StorePool::Lane::hooks));
  CHECK(second.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  release.set_value();
  pool.stop();
}

// Reads queued behind one another run in one read transaction: the second of
// a group sees the snapshot the first began, even after another connection
// has committed. A job queued with submit() is never part of a group.
TEST_CASE("reads queued together share one snapshot, and each runs once") {
  TempDir dir;
  const auto path = seeded_db(dir, 0);
  StorePool pool([&] { return open_sqlite_store(path); }, 1, 16, 0);
  HeldWorker held(pool);  // while the reads queue

  std::atomic<int64_t> first{-1}, second{-1}, alone{-1}, later{-1};
  REQUIRE(pool.submit_read([&](Store& store) {
    first = store.ticket(158, "k")->uses;
    auto other = open_sqlite_store(path);  // commits while the group's read is open
    auto t = other->ticket(158, "k");
    t->uses = 5;
    REQUIRE(other->update_ticket(*t));
  }));
  REQUIRE(pool.submit_read([&](Store& store) {
    store.read_together([&] { second = store.ticket(158, "k")->uses; });  // joins the group's
  }));
  REQUIRE(pool.submit([&](Store& store) { alone = store.ticket(158, "k")->uses; }));
  REQUIRE(pool.submit_read([&](Store& store) { later = store.ticket(158, "k")->uses; }));
  held.release();
  pool.stop();
  CHECK(first == 0);
  CHECK(second == 0);  // the first read's snapshot
  CHECK(alone == 5);
  CHECK(later == 5);
  CHECK(uses_of(path) == 5);
}

TEST_CASE("a read that fails leaves the other reads of its group their answers") {
  TempDir dir;
  const auto path = seeded_db(dir, 3);
  StorePool pool([&] { return open_sqlite_store(path); }, 1, 16, 0);
  HeldWorker held(pool);
  std::atomic<int> ran{0};
  auto counted = [&](Store& store) {
    if (store.ticket(158, "k")->uses == 3) ++ran;
  };
  REQUIRE(pool.submit_read([](Store&) { throw std::runtime_error("read failed on purpose"); }));
  REQUIRE(pool.submit_read(counted));
  REQUIRE(pool.submit_read([](Store& store) { (void)store.ticket(158, "missing").value(); }));
  REQUIRE(pool.submit_read(counted));
  REQUIRE(pool.submit_read(counted));
  CHECK_FALSE(pool.submit_read(nullptr));
  held.release();
  pool.stop();
  CHECK(ran == 3);
}

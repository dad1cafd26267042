// Group commit (store/group_commit.hpp) against real SQLite: writes share
// transactions, one that fails fails alone, a write that needs the commit is
// answered only once committed, one that does not at once, and a failed commit
// answers every waiting write kFailed, runs the batch's undo steps and writes
// the rows owed by the writes already answered again.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store_pool.hpp"
#include "store/group_commit.hpp"

using namespace sevu;

namespace {

struct TempDb {
  std::string dir, path;
  TempDb() {
    char tmpl[] = "/tmp/sevu-group-commit-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = dir + "/sevu.db";
    auto store = open_sqlite_store(path);
    Account a;
    a.cdn_id = 158;
    a.username = "demo";
    a.api_key = std::string(32, 'A');
    a.secret = std::string(64, 'a');
    REQUIRE(store->insert_account(a));
  }
  ~TempDb() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  // Rows as another connection sees them: only what was committed.
  int64_t committed_attempts() {
    auto store = open_sqlite_store(path);
    AttemptFilter f;
    f.limit = 100000;
    return store->count_attempts(158, f);
  }
  void exec(const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE_MESSAGE(rc == SQLITE_OK, message);
  }
};

Attempt row(const std::string& app, bool success) {
  Attempt a;
  a.cdn_id = 158;
  a.datetime = 1;
  a.app = app;
  a.success = success;
  a.reason = success ? "Success" : "Invalid Auth Token";
  return a;
}

// The same row as an owed write keeps it, should its batch roll back.
std::shared_ptr<const Attempt> owed(Attempt a) {
  return std::make_shared<const Attempt>(std::move(a));
}

// A write that logs one attempt and needs the commit (a grant) or not (a refusal).
std::function<bool(Store&, IfRolledBack&)> log_one(const std::string& app, bool grant) {
  return [app, grant](Store& store, IfRolledBack&) {
    if (grant) {
      store.insert_attempt(row(app, grant));
    } else {
      store.hold_attempt(row(app, grant));  // as the usher logs a refusal
    }
    return grant;
  };
}

using Status = WriteOutcome::Status;

// Holds the pool's only worker (the tests give it no hook worker of its own)
// until released, so that writes pile up.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void hold(StorePool& pool) {
    REQUIRE(pool.submit([this](Store&) {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [this] { return open; });
    }, StorePool::Lane::hooks));
  }
  void release() {
    std::lock_guard<std::mutex> lock(m);
    open = true;
    cv.notify_all();
  }
};

// A deferred foreign key is checked at COMMIT only: after this, an attempt on
// app "poison" makes the whole batch's commit fail, as a full disk would.
void poison_commits(TempDb& db) {
  db.exec(
      "CREATE TABLE canary (cdn_id INTEGER REFERENCES accounts(cdn_id) "
      "DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER poison AFTER INSERT ON attempts WHEN NEW.app = 'poison' "
      "BEGIN INSERT INTO canary VALUES (999999); END;");
}

std::function<void(WriteOutcome)> into(std::promise<WriteOutcome>& p) {
  return [&p](WriteOutcome o) { p.set_value(std::move(o)); };
}

}  // namespace

TEST_CASE("writes queued together commit together; those needing the commit answered after it") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);

  constexpr int kWrites = 200;
  std::vector<std::promise<WriteOutcome>> answers(kWrites);
  std::atomic<int> seen_committed{0};
  for (int i = 0; i < kWrites; ++i) {
    const bool grant = i % 2 == 0;
    REQUIRE(commit.submit(BatchedWrite{log_one("app", grant), [&, i, grant](WriteOutcome o) {
      // A grant is answered only once another connection can see its row.
      if (grant && db.committed_attempts() >= i + 1) seen_committed++;
      answers[i].set_value(std::move(o));
    }}));
  }
  gate.release();
  for (int i = 0; i < kWrites; ++i) CHECK(answers[i].get_future().get().status == Status::kDone);
  CHECK(seen_committed == kWrites / 2);
  CHECK(db.committed_attempts() == kWrites);
}

TEST_CASE("a write that throws fails alone: its changes go, the batch's stay") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  std::promise<WriteOutcome> first, broken, last;
  std::atomic<bool> undone{false};
  REQUIRE(commit.submit(BatchedWrite{log_one("a", true), into(first)}));
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack& undo) -> bool {
                                       store.insert_attempt(row("broken", true));
                                       undo.undo.push_back([&] { undone = true; });
                                       throw StoreError("disk on fire");
                                     },
                                     into(broken)}));
  REQUIRE(commit.submit(BatchedWrite{log_one("b", true), into(last)}));
  gate.release();
  CHECK(first.get_future().get().status == Status::kDone);
  WriteOutcome b = broken.get_future().get();
  CHECK(b.status == Status::kFailed);
  CHECK(b.failure == "disk on fire");
  CHECK(undone);
  CHECK(last.get_future().get().status == Status::kDone);
  CHECK(db.committed_attempts() == 2);  // "broken" rolled back to its savepoint
}

// A batch runs without a savepoint per write; one that throws takes the batch's
// transaction with it, and the rest run again, each in its own savepoint
// (group_commit.cpp, commit_batch). What was answered before the throw is not
// run again: its row is written again instead, once.
TEST_CASE(
    "after a write throws, the batch runs again: nothing answered runs twice, no row is lost") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  std::promise<WriteOutcome> grant, refusal, broken, after;
  std::atomic<int> grant_runs{0}, refusal_runs{0}, owed_runs{0}, undone{0};
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack& effects) {
                                       ++grant_runs;
                                       effects.undo.push_back([&] { undone++; });
                                       return log_one("grant", true)(store, effects);
                                     },
                                     into(grant)}));
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack& effects) {
                                       ++refusal_runs;  // answered before the commit
                                       effects.owed_rows.push_back(owed(row("refusal", false)));
                                       return log_one("refusal", false)(store, effects);
                                     },
                                     into(refusal)}));
  REQUIRE(commit.owe([&](Store& store, IfRolledBack& effects) {
    ++owed_runs;
    store.hold_attempt(row("owed before", false));
    effects.owed_rows.push_back(owed(row("owed before", false)));
  }));
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack&) -> bool {
                                       store.insert_attempt(row("broken", true));
                                       throw StoreError("disk on fire");
                                     },
                                     into(broken)}));
  REQUIRE(commit.owe([&](Store& store, IfRolledBack& effects) {
    ++owed_runs;
    store.hold_attempt(row("owed after", false));
    effects.owed_rows.push_back(owed(row("owed after", false)));
  }));
  REQUIRE(commit.submit(BatchedWrite{log_one("after", true), into(after)}));
  gate.release();
  CHECK(grant.get_future().get().status == Status::kDone);
  CHECK(refusal.get_future().get().status == Status::kDone);
  CHECK(broken.get_future().get().status == Status::kFailed);
  CHECK(after.get_future().get().status == Status::kDone);
  CHECK(grant_runs == 2);    // run again: it was waiting on the commit
  CHECK(undone == 1);        // its first run's effects taken back, the second's kept
  CHECK(refusal_runs == 1);  // answered: its row written again, not the write
  CHECK(owed_runs == 2);     // each once: the one after the throw only in the run again
  std::promise<void> settled;
  commit.after_answered([&] { settled.set_value(); });
  settled.get_future().get();
  // grant, refusal, owed before, owed after, after: each exactly once.
  CHECK(db.committed_attempts() == 5);
}

TEST_CASE("a failed commit answers every waiting write kFailed and runs the undo steps") {
  TempDb db;
  poison_commits(db);
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  std::promise<WriteOutcome> grant, refusal, poisoned;
  std::atomic<int> undone{0};
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack& undo) {
                                       undo.undo.push_back([&] { undone++; });
                                       return log_one("a", true)(store, undo);
                                     },
                                     into(grant)}));
  REQUIRE(commit.submit(BatchedWrite{[&](Store& store, IfRolledBack& if_rolled_back) {
                                       // owed even if the batch fails
                                       if_rolled_back.owed_rows.push_back(owed(row("b", false)));
                                       return log_one("b", false)(store, if_rolled_back);
                                     },
                                     into(refusal)}));
  REQUIRE(commit.submit(BatchedWrite{log_one("poison", true), into(poisoned)}));
  gate.release();
  CHECK(grant.get_future().get().status == Status::kFailed);
  CHECK(poisoned.get_future().get().status == Status::kFailed);
  CHECK(refusal.get_future().get().status == Status::kDone);  // answered before the commit
  CHECK(undone == 1);

  // The writer recovers: the next batch commits. Behind it on the same worker,
  // the answered refusal's row was written again on its own; the grants' are gone.
  std::promise<WriteOutcome> after;
  REQUIRE(commit.submit(BatchedWrite{log_one("c", true), into(after)}));
  CHECK(after.get_future().get().status == Status::kDone);
  CHECK(db.committed_attempts() == 2);
}

TEST_CASE("beyond max_waiting writes are refused, not queued") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks, {}, 3, 2);
  Gate gate;
  gate.hold(pool);
  std::vector<std::promise<WriteOutcome>> answers(3);
  for (int i = 0; i < 3; ++i)
    REQUIRE(commit.submit(BatchedWrite{log_one("a", true), into(answers[i])}));
  CHECK_FALSE(commit.submit(
      BatchedWrite{log_one("a", true), [](WriteOutcome) { FAIL("never answered"); }}));
  gate.release();
  for (auto& a : answers) CHECK(a.get_future().get().status == Status::kDone);  // max_batch 2
  CHECK(db.committed_attempts() == 3);
}

TEST_CASE("a write that cannot reach the store is kUnavailable, not kFailed") {
  TempDb db;
  auto store = open_sqlite_store(db.path);
  std::vector<WriteOutcome> heard;
  run_alone(*store, BatchedWrite{[](Store&, IfRolledBack&) -> bool {
                                   throw StoreUnavailable("connection lost");
                                 },
                                 [&](WriteOutcome o) { heard.push_back(o); }});
  REQUIRE(heard.size() == 1);
  CHECK(heard[0].status == Status::kUnavailable);
  CHECK(heard[0].failure == "connection lost");
}

TEST_CASE("run_alone: one write in its own transaction, the same outcomes") {
  TempDb db;
  auto store = open_sqlite_store(db.path);
  std::vector<WriteOutcome> heard;
  run_alone(*store, BatchedWrite{log_one("a", true), [&](WriteOutcome o) { heard.push_back(o); }});
  run_alone(*store, BatchedWrite{[](Store& s, IfRolledBack&) -> bool {
                                   s.insert_attempt(row("x", true));
                                   throw StoreError("no");
                                 },
                                 [&](WriteOutcome o) { heard.push_back(o); }});
  REQUIRE(heard.size() == 2);
  CHECK(heard[0].status == Status::kDone);
  CHECK(heard[1].status == Status::kFailed);
  CHECK(db.committed_attempts() == 1);
}

TEST_CASE("after_answered: at once when nothing is owed, else once the answered rows commit") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);

  bool ran_at_once = false;
  commit.after_answered([&] { ran_at_once = true; });
  CHECK(ran_at_once);

  // A reader arriving right after a refusal's answer (which goes out before
  // its batch commits) runs only once another connection sees the row.
  constexpr int kRefusals = 20;
  std::vector<std::promise<int64_t>> seen(kRefusals);
  Gate gate;
  gate.hold(pool);
  for (int i = 0; i < kRefusals; ++i) {
    REQUIRE(commit.submit(BatchedWrite{log_one("app", false), [&, i](WriteOutcome) {
      commit.after_answered([&, i] { seen[i].set_value(db.committed_attempts()); });
    }}));
  }
  gate.release();
  for (int i = 0; i < kRefusals; ++i) CHECK(seen[i].get_future().get() >= i + 1);
}

TEST_CASE("owe: answered by its submitter, counted at once, its row written by the next batch") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(commit.owe([](Store& store, IfRolledBack& if_rolled_back) {
      store.hold_attempt(row("owed", false));
      if_rolled_back.owed_rows.push_back(owed(row("owed", false)));
    }));
  }
  // The worker is held: nothing is written yet, yet a reader must wait for the rows.
  std::promise<int64_t> seen;
  commit.after_answered([&] { seen.set_value(db.committed_attempts()); });
  gate.release();
  CHECK(seen.get_future().get() == 5);
}

TEST_CASE("owe: a full pool queue leaves an owed row queued, not dropped") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 1, 0);  // one job may wait
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  // Once the worker holds the gate, a job fills the queue's one place.
  std::promise<void> filler_ran;
  while (!pool.submit([&](Store&) { filler_ran.set_value(); }, StorePool::Lane::hooks))
    std::this_thread::yield();
  REQUIRE(commit.owe([](Store& store, IfRolledBack&) { store.hold_attempt(row("owed", false)); }));
  gate.release();
  filler_ran.get_future().get();
  std::promise<int64_t> seen;  // its marker schedules the writer the full queue refused
  commit.after_answered([&] { seen.set_value(db.committed_attempts()); });
  CHECK(seen.get_future().get() == 1);
}

TEST_CASE("owe: a failed batch writes the owed row again on its own") {
  TempDb db;
  poison_commits(db);
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, StorePool::Lane::hooks);
  Gate gate;
  gate.hold(pool);
  REQUIRE(commit.owe([](Store& store, IfRolledBack& if_rolled_back) {
    store.hold_attempt(row("owed", false));
    if_rolled_back.owed_rows.push_back(owed(row("owed", false)));
  }));
  std::promise<WriteOutcome> poisoned;
  REQUIRE(commit.submit(BatchedWrite{log_one("poison", true), into(poisoned)}));
  gate.release();
  CHECK(poisoned.get_future().get().status == Status::kFailed);
  std::promise<int64_t> seen;
  commit.after_answered([&] { seen.set_value(db.committed_attempts()); });
  CHECK(seen.get_future().get() == 1);
}

namespace {

// Owed rows as a refusal answered from memory leaves them.
bool owe_one(GroupCommit& commit) {
  return commit.owe([](Store& store, IfRolledBack& if_rolled_back) {
    store.hold_attempt(row("owed", false));
    if_rolled_back.owed_rows.push_back(owed(row("owed", false)));
  });
}

// Batch sizes as on_batch hears them, on the writer's thread.
struct Batches {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::size_t> sizes;
  std::function<void(std::size_t)> hear() {
    return [this](std::size_t n) {
      std::lock_guard<std::mutex> lock(m);
      sizes.push_back(n);
      cv.notify_all();
    };
  }
  // The size of the nth batch heard (from 1), or 0 when it did not come within `within`.
  std::size_t nth(std::size_t n, std::chrono::milliseconds within) {
    std::unique_lock<std::mutex> lock(m);
    cv.wait_for(lock, within, [&] { return sizes.size() >= n; });
    return sizes.size() >= n ? sizes[n - 1] : 0;
  }
};

// A group commit whose owed rows wait for company, on a pool of one worker.
struct Batching {
  TempDb db;
  StorePool pool{[this] { return open_sqlite_store(db.path); }, 1, 64, 0};
  Batches batches;
  GroupCommit commit;
  explicit Batching(OwedBatching owed)
      : commit(pool, StorePool::Lane::hooks, batches.hear(), GroupCommit::kMaxWaiting,
               GroupCommit::kMaxBatch, owed) {}
  // The pool outlives the members declared after it: a writer still running
  // when the test ends would tell a destroyed `batches` of its batch. Stopping
  // the pool first waits for that writer.
  ~Batching() { pool.stop(); }
};

// An alarm that cannot ring while a test runs: only company or another write
// can send the rows on.
constexpr OwedBatching kNoAlarm{4, std::chrono::milliseconds(3600 * 1000)};

}  // namespace

TEST_CASE("owed rows wait for company: none is written until `rows` wait, then one batch") {
  Batching b(kNoAlarm);
  for (int i = 0; i < 3; ++i) REQUIRE(owe_one(b.commit));
  CHECK(b.batches.nth(1, std::chrono::milliseconds(300)) == 0);  // no writer was woken
  CHECK(b.db.committed_attempts() == 0);
  REQUIRE(owe_one(b.commit));
  CHECK(b.batches.nth(1, std::chrono::seconds(30)) == 4);
  CHECK(b.db.committed_attempts() == 4);
}

TEST_CASE("owed rows wait for company: a lone row is written once the alarm rings") {
  Batching b(OwedBatching{128, std::chrono::milliseconds(20)});
  REQUIRE(owe_one(b.commit));
  CHECK(b.batches.nth(1, std::chrono::seconds(30)) == 1);
  CHECK(b.db.committed_attempts() == 1);
  // The alarm is armed again for the next lone row.
  REQUIRE(owe_one(b.commit));
  CHECK(b.batches.nth(2, std::chrono::seconds(30)) == 1);
}

TEST_CASE("owed rows wait for company: any other write, a reader's wait, write_waiting take them") {
  Batching b(kNoAlarm);
  for (int i = 0; i < 2; ++i) REQUIRE(owe_one(b.commit));
  SUBCASE("a grant") {
    std::promise<WriteOutcome> granted;
    REQUIRE(b.commit.submit(BatchedWrite{log_one("app", true), into(granted)}));
    CHECK(granted.get_future().get().status == Status::kDone);
    CHECK(b.batches.nth(1, std::chrono::seconds(30)) == 3);
    CHECK(b.db.committed_attempts() == 3);
  }
  SUBCASE("an API read asking for what was answered") {
    std::promise<int64_t> seen;
    b.commit.after_answered([&] { seen.set_value(b.db.committed_attempts()); });
    CHECK(seen.get_future().get() == 2);
  }
  SUBCASE("write_waiting, as the server stops") {
    b.commit.write_waiting();
    CHECK(b.batches.nth(1, std::chrono::seconds(30)) == 2);
    CHECK(b.db.committed_attempts() == 2);
  }
}

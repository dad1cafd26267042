// Group commit (usher_service/group_commit.hpp) against real SQLite: decisions
// share transactions, one that fails fails alone, grants are answered only once
// committed, refusals at once, and a failed commit answers every grant kFailed,
// runs the batch's undo steps and writes the answered refusals' rows again.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "store/store_pool.hpp"
#include "usher_service/group_commit.hpp"

using namespace sevu;
using namespace sevu::usher_service;

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

// A decision that logs one attempt and is granted or refused as told.
WriteDecision log_one(const std::string& app, bool grant) {
  return [app, grant](Store& store, IfRolledBack&) {
    store.insert_attempt(row(app, grant));
    UsherDecision d;
    d.allowed = grant;
    d.reason = grant ? "Success" : "Invalid Auth Token";
    return d;
  };
}

// Holds the pool's only worker (the tests give it no hook worker of its own)
// until released, so that decisions pile up.
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

}  // namespace

TEST_CASE("decisions queued together commit together; grants answered once committed") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool);
  Gate gate;
  gate.hold(pool);

  constexpr int kDecisions = 200;
  std::vector<std::promise<UsherDecision>> answers(kDecisions);
  std::atomic<int> grants_seen_committed{0};
  for (int i = 0; i < kDecisions; ++i) {
    const bool grant = i % 2 == 0;
    REQUIRE(commit.submit(log_one("app", grant), [&, i, grant](UsherDecision d) {
      // A grant is answered only once another connection can see its row.
      if (grant && db.committed_attempts() >= i + 1) grants_seen_committed++;
      answers[i].set_value(std::move(d));
    }));
  }
  gate.release();
  for (int i = 0; i < kDecisions; ++i) {
    UsherDecision d = answers[i].get_future().get();
    CHECK(d.decided());
    CHECK(d.allowed == (i % 2 == 0));
  }
  CHECK(grants_seen_committed == kDecisions / 2);
  CHECK(db.committed_attempts() == kDecisions);
}

TEST_CASE("a decision that throws fails alone: its writes go, the batch's stay") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool);
  Gate gate;
  gate.hold(pool);
  std::promise<UsherDecision> first, broken, last;
  std::atomic<bool> undone{false};
  REQUIRE(commit.submit(log_one("a", true), [&](UsherDecision d) { first.set_value(d); }));
  REQUIRE(commit.submit(
      [&](Store& store, IfRolledBack& undo) -> UsherDecision {
        store.insert_attempt(row("broken", true));
        undo.undo.push_back([&] { undone = true; });
        throw StoreError("disk on fire");
      },
      [&](UsherDecision d) { broken.set_value(d); }));
  REQUIRE(commit.submit(log_one("b", true), [&](UsherDecision d) { last.set_value(d); }));
  gate.release();
  CHECK(first.get_future().get().allowed);
  UsherDecision b = broken.get_future().get();
  CHECK(b.status == UsherDecision::Status::kFailed);
  CHECK(b.failure == "disk on fire");
  CHECK(undone);
  CHECK(last.get_future().get().allowed);
  CHECK(db.committed_attempts() == 2);  // "broken" rolled back to its savepoint
}

TEST_CASE("a failed commit answers every grant kFailed and runs the undo steps") {
  TempDb db;
  // A deferred foreign key is checked at COMMIT only: an attempt on app
  // "poison" makes the whole batch's commit fail, as a full disk would.
  db.exec(
      "CREATE TABLE canary (cdn_id INTEGER REFERENCES accounts(cdn_id) "
      "DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER poison AFTER INSERT ON attempts WHEN NEW.app = 'poison' "
      "BEGIN INSERT INTO canary VALUES (999999); END;");
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool);
  Gate gate;
  gate.hold(pool);
  std::promise<UsherDecision> grant, refusal, poisoned;
  std::atomic<int> undone{0};
  REQUIRE(commit.submit(
      [&](Store& store, IfRolledBack& undo) {
        undo.undo.push_back([&] { undone++; });
        return log_one("a", true)(store, undo);
      },
      [&](UsherDecision d) { grant.set_value(d); }));
  REQUIRE(commit.submit(
      [&](Store& store, IfRolledBack& if_rolled_back) {
        if_rolled_back.refusal_rows.push_back(row("b", false));  // owed even if the batch fails
        return log_one("b", false)(store, if_rolled_back);
      },
      [&](UsherDecision d) { refusal.set_value(d); }));
  REQUIRE(commit.submit(log_one("poison", true), [&](UsherDecision d) { poisoned.set_value(d); }));
  gate.release();
  UsherDecision g = grant.get_future().get();
  CHECK(g.status == UsherDecision::Status::kFailed);
  CHECK(poisoned.get_future().get().status == UsherDecision::Status::kFailed);
  UsherDecision r = refusal.get_future().get();  // answered before the commit
  CHECK(r.decided());
  CHECK_FALSE(r.allowed);
  CHECK(undone == 1);

  // The writer recovers: the next batch commits. Behind it on the same worker,
  // the answered refusal's row was written again on its own; the grants' are gone.
  std::promise<UsherDecision> after;
  REQUIRE(commit.submit(log_one("c", true), [&](UsherDecision d) { after.set_value(d); }));
  CHECK(after.get_future().get().allowed);
  CHECK(db.committed_attempts() == 2);
}

TEST_CASE("beyond max_waiting decisions are refused, not queued") {
  TempDb db;
  StorePool pool([&] { return open_sqlite_store(db.path); }, 1, 64, 0);
  GroupCommit commit(pool, {}, 3, 2);
  Gate gate;
  gate.hold(pool);
  std::vector<std::promise<UsherDecision>> answers(3);
  for (int i = 0; i < 3; ++i)
    REQUIRE(commit.submit(log_one("a", true), [&, i](UsherDecision d) { answers[i].set_value(d); }));
  CHECK_FALSE(commit.submit(log_one("a", true), [](UsherDecision) { FAIL("never answered"); }));
  gate.release();
  for (auto& a : answers) CHECK(a.get_future().get().allowed);  // two batches: max_batch 2
  CHECK(db.committed_attempts() == 3);
}

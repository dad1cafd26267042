// The WAL write buffer against a real database file: a commit reaches the log
// in one write, every other connection (on SQLite's default VFS) sees it the
// moment it returns, a commit survives the process being killed right after
// it, and transactions larger than the buffer or rolled back behave as ever.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "store/connection.hpp"
#include "store/store.hpp"
#include "store/wal_write_buffer.hpp"
#include "sqlite_raw.hpp"
#include "temp_dir.hpp"

namespace {

using namespace sevu;

// A reader the way another process would open the file: SQLite's default VFS.
struct PlainReader {
  sqlite3* db = nullptr;
  explicit PlainReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
  }
  ~PlainReader() { sqlite3_close_v2(db); }
  long long rows() { return scalar(db, "SELECT count(*) FROM rows"); }
  long long bytes() { return scalar(db, "SELECT coalesce(sum(length(body)), 0) FROM rows"); }
};

// Ten pages of their own: rows bigger than half a 4 KiB page.
void ten_page_commit(sqlite3* db) {
  exec(db, "BEGIN IMMEDIATE");
  for (int i = 0; i < 10; ++i) exec(db, "INSERT INTO rows(body) VALUES (zeroblob(3000))");
  exec(db, "COMMIT");
}

}  // namespace

TEST_CASE("a commit of many pages reaches the log in one write, and is seen at once") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  sqlite::Connection writer(path, OpenMode::kCreate);
  exec(writer.get(), "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)");
  ten_page_commit(writer.get());  // the log's first commit also writes its header
  PlainReader reader(path);
  REQUIRE(reader.rows() == 10);

  for (int commit = 2; commit <= 20; ++commit) {
    const sqlite::WalWriteCounts before = sqlite::wal_write_counts();
    ten_page_commit(writer.get());
    const sqlite::WalWriteCounts after = sqlite::wal_write_counts();
    CHECK(after.frames - before.frames >= 10);
    CHECK(after.writes - before.writes == 1);
    CHECK(reader.rows() == commit * 10);  // frames the index names are in the file
  }
}

TEST_CASE("a transaction larger than the buffer, and one rolled back, behave as without it") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  sqlite::Connection writer(path, OpenMode::kCreate);
  exec(writer.get(), "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)");
  // 6 MiB in one transaction: the buffer is written out in pieces, and the
  // page cache spills into the log before the commit.
  exec(writer.get(), "PRAGMA cache_size = 100");
  exec(writer.get(), "BEGIN IMMEDIATE");
  for (int i = 0; i < 2000; ++i)
    exec(writer.get(), "INSERT INTO rows(body) VALUES (zeroblob(3000))");
  exec(writer.get(),
       "UPDATE rows SET body = zeroblob(3100) WHERE id % 7 = 0");  // pages written twice
  exec(writer.get(), "COMMIT");
  PlainReader reader(path);
  CHECK(reader.rows() == 2000);
  CHECK(reader.bytes() == 2000LL * 3000 + 285LL * 100);

  exec(writer.get(), "BEGIN IMMEDIATE");
  for (int i = 0; i < 500; ++i)
    exec(writer.get(), "INSERT INTO rows(body) VALUES (zeroblob(3000))");
  exec(writer.get(), "ROLLBACK");
  CHECK(reader.rows() == 2000);
  CHECK(scalar(writer.get(), "SELECT count(*) FROM rows") == 2000);
  ten_page_commit(writer.get());  // over the frames the rollback left behind
  CHECK(reader.rows() == 2010);
  CHECK(scalar(writer.get(),
               "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
}

// Frames a rolled-back transaction spilled belong to no commit, and once its
// write lock is gone another connection writes its own frames at the same
// offsets: the held bytes must never reach the file after that.
TEST_CASE("a rolled-back transaction's frames never overwrite another connection's commit") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  sqlite::Connection first(path, OpenMode::kCreate);
  sqlite::Connection second(path, OpenMode::kMustExist);
  exec(first.get(), "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)");
  exec(first.get(), "PRAGMA cache_size = 10");
  PlainReader reader(path);
  for (int round = 1; round <= 3; ++round) {
    exec(first.get(), "BEGIN IMMEDIATE");  // spills some 90 pages, under the buffer's 1 MiB
    for (int i = 0; i < 100; ++i)
      exec(first.get(), "INSERT INTO rows(body) VALUES (zeroblob(3000))");
    exec(first.get(), "ROLLBACK");
    ten_page_commit(second.get());
    ten_page_commit(first.get());
    CHECK(reader.rows() == round * 20);
    CHECK(scalar(reader.db,
                 "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  }
}

// The buffer must be in the file when COMMIT returns, not at some later call:
// a process killed right after its commit loses nothing.
TEST_CASE("a commit survives the process being killed right after it") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  {
    sqlite::Connection setup(path, OpenMode::kCreate);
    exec(setup.get(), "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)");
  }
  for (int round = 1; round <= 3; ++round) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {
        sqlite::Connection writer(path, OpenMode::kMustExist);
        ten_page_commit(writer.get());
        kill(getpid(), SIGKILL);  // with the connection open: no close writes anything out
      } catch (...) {
        _exit(2);
      }
      _exit(3);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    PlainReader reader(path);
    CHECK(reader.rows() == round * 10);
  }
}

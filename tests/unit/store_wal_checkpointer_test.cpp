// WalCheckpointer against a real database file: commits past SQLite's
// checkpoint threshold are checkpointed by the background thread, the log
// stays bounded and starts over, and nothing committed is lost.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "store/connection.hpp"
#include "store/wal_checkpointer.hpp"
#include "sqlite_raw.hpp"
#include "temp_dir.hpp"

namespace {

using namespace sevu;
using sqlite::WalCheckpointer;

long long count_rows(sqlite3* db) {
  return scalar(db, "SELECT count(*) FROM rows");
}

// One page of its own per commit: a row bigger than half a 4 KiB page.
void commit_pages(sqlite3* db, int commits) {
  for (int i = 0; i < commits; ++i) exec(db, "INSERT INTO rows(body) VALUES (zeroblob(3000))");
}

std::uintmax_t wal_pages(const std::string& db_path) {
  std::error_code ignored;
  const auto bytes = std::filesystem::file_size(db_path + "-wal", ignored);
  return bytes == static_cast<std::uintmax_t>(-1) ? 0 : bytes / (4096 + 24);
}

// A database with a table of rows, its writer, and the checkpointer they share.
struct WalDb {
  TempDir dir;
  std::string path;
  sqlite::Connection writer;
  std::shared_ptr<WalCheckpointer> checkpointer;
  explicit WalDb(const std::string& name) : path(dir.file(name)), writer(path, OpenMode::kCreate) {
    exec(writer.get(), "CREATE TABLE rows(id INTEGER PRIMARY KEY, body BLOB)");
    checkpointer = WalCheckpointer::of(path);
  }
};

}  // namespace

// The writer is paced like a server's group commits: it never stops long
// enough for a background run to copy the whole log, so the log starts over
// only because the writer copies the last pages itself.
TEST_CASE("commits past the threshold are checkpointed in the background, and the log starts over") {
  WalDb db("wal.db");
  const std::string& path = db.path;
  sqlite::Connection& writer = db.writer;
  const auto& checkpointer = db.checkpointer;
  CHECK(checkpointer->background_runs() == 0);

  const int commits = 2 * WalCheckpointer::kInlinePages;  // two logs' worth
  std::uintmax_t largest_log = 0;
  for (int done = 0; done < commits; ++done) {
    commit_pages(writer.get(), 1);
    if (done % 100 == 0) largest_log = std::max(largest_log, wal_pages(path));
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  CHECK(checkpointer->background_runs() > 0);
  // SQLite never shrinks the file; it writes it over from the top once the
  // log starts over, so its size is the largest the log ever was. Had the log
  // not started over until the writer's own limit, it would be kInlinePages.
  // (It starts over once the background comes within kInlineRemainderPages,
  // which a machine busy with other tests can delay: 1,250-4,300 pages on the
  // bench under a stream of grants.)
  CHECK(largest_log < static_cast<std::uintmax_t>(WalCheckpointer::kInlinePages * 3 / 4));
  CHECK(count_rows(writer.get()) == commits);

  // A second connection, as a pool has, shares the one checkpointer.
  sqlite::Connection reader(path, OpenMode::kMustExist);
  CHECK(WalCheckpointer::of(path) == checkpointer);
  CHECK(count_rows(reader.get()) == commits);
}

// However far the background trails, the writer copies a log at its limit
// itself, waiting out a background run in progress: the file never grows past
// the limit.
TEST_CASE("a writer that outruns the background checkpoints the log itself") {
  TempDir dir;
  const std::string path = dir.file("fast.db");
  sqlite::Connection writer(path, OpenMode::kCreate);
  exec(writer.get(), "CREATE TABLE rows(id INTEGER PRIMARY KEY, body BLOB)");
  const int commits = 4 * WalCheckpointer::kInlinePages;
  commit_pages(writer.get(), commits);
  CHECK(count_rows(writer.get()) == commits);
  CHECK(wal_pages(path) <= static_cast<std::uintmax_t>(WalCheckpointer::kInlinePages + 10));
}

TEST_CASE("the database reopened after its connections closed holds every commit") {
  TempDir dir;
  const std::string path = dir.file("reopen.db");
  {
    sqlite::Connection writer(path, OpenMode::kCreate);
    exec(writer.get(), "CREATE TABLE rows(id INTEGER PRIMARY KEY, body BLOB)");
    commit_pages(writer.get(), 3 * WalCheckpointer::kBackgroundPages);
  }
  sqlite::Connection again(path, OpenMode::kMustExist);
  CHECK(count_rows(again.get()) == 3 * WalCheckpointer::kBackgroundPages);
}

namespace {

// Counts the syncs of main database files opened while it is the
// default VFS: it wraps that VFS's xSync (the files are the default VFS's
// own; only their method table is swapped). Writing connections open through
// the WAL write buffer, which wraps the default VFS it found first, so once a
// writer is open, what opens through this counter is the checkpointer's
// connection alone.
struct SyncCounter {
  struct File {
    const sqlite3_io_methods* real;
    int flags;
  };
  static inline sqlite3_vfs* real_vfs = nullptr;
  static inline sqlite3_vfs vfs{};
  static inline std::mutex mutex;
  static inline std::map<sqlite3_file*, File> files;
  static inline std::map<const sqlite3_io_methods*, sqlite3_io_methods> counting;
  static inline std::atomic<int> database_syncs{0};

  static int open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out) {
    const int rc = real_vfs->xOpen(real_vfs, name, file, flags, out);
    if (rc != SQLITE_OK || !file->pMethods) return rc;
    std::lock_guard<std::mutex> lock(mutex);
    auto made = counting.try_emplace(file->pMethods, *file->pMethods);
    made.first->second.xSync = &SyncCounter::sync;
    made.first->second.xClose = &SyncCounter::close;
    files[file] = File{file->pMethods, flags};
    file->pMethods = &made.first->second;
    return rc;
  }
  static File of(sqlite3_file* file) {
    std::lock_guard<std::mutex> lock(mutex);
    return files.at(file);
  }
  static int sync(sqlite3_file* file, int flags) {
    const File f = of(file);
    if (f.flags & SQLITE_OPEN_MAIN_DB) ++database_syncs;
    return f.real->xSync(file, flags);
  }
  static int close(sqlite3_file* file) {
    const File f = of(file);
    {
      std::lock_guard<std::mutex> lock(mutex);
      files.erase(file);
    }
    return f.real->xClose(file);
  }

  SyncCounter() {
    real_vfs = sqlite3_vfs_find(nullptr);
    vfs = *real_vfs;
    vfs.zName = "sevu-test-sync-counter";
    vfs.xOpen = &SyncCounter::open;
    REQUIRE(sqlite3_vfs_register(&vfs, 1) == SQLITE_OK);
  }
  ~SyncCounter() {
    sqlite3_vfs_unregister(&vfs);
    sqlite3_vfs_register(real_vfs, 1);
  }
};

}  // namespace

// SQLite syncs the database in a checkpoint only when it copied the whole log,
// which a run beside a busy writer never does; the background syncs what it
// copied itself, so that the writer's checkpoint, which starts the log over,
// has little left to flush.
TEST_CASE("each background run leaves the database synced, though it copies part of the log") {
  WalDb db("synced.db");
  SyncCounter counter;  // the checkpointer opens its connection at its first run
  // Never idle long enough for a run to copy everything: every run trails.
  for (int done = 0; done < 3 * WalCheckpointer::kBackgroundPages; ++done) {
    commit_pages(db.writer.get(), 1);
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  const unsigned long long runs = db.checkpointer->background_runs();
  REQUIRE(runs > 0);
  // Without the background's own sync there are none at all; a run that
  // met the writer's checkpoint in progress (SQLITE_BUSY) copies and syncs
  // nothing, hence half. (The log needs no such check: SQLite syncs it as each
  // pass begins.)
  CHECK(counter.database_syncs.load() >= static_cast<int>(runs / 2));
}

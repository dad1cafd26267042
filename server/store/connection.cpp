#include "store/connection.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "store/statement.hpp"
#include "store/store.hpp"
#include "store/store_copy.hpp"
#include "store/wal_write_buffer.hpp"

namespace sevu::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

std::string journal_mode(sqlite3* db, const char* pragma) {
  Statement statement(db, pragma);
  auto run = statement.run();
  return run.next() ? run.text(0) : std::string();
}

// The database holds every account secret and ticket pass, so it is born
// owner-only. O_EXCL never touches an existing file; SQLite then opens the
// empty file as a new database.
void create_owner_only(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  const int error = errno;
  if (error != EEXIST)
    throw StoreError("cannot create database " + path + ": " + std::strerror(error));
}

// SQLite creates -wal and -shm with the database file's mode, so an owner-only
// database keeps them owner-only. Files left group/world-readable by an older
// version (side files too, after a crash) are tightened when this process may;
// otherwise they are left as they are, and the open goes on.
void restrict_to_owner(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = path + suffix;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
      ::chmod(file.c_str(), st.st_mode & 07700);
  }
}

// "file:<path>?immutable=1", the path percent-encoded where a URI needs it.
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

// SQLite's memory statistics take one process-wide mutex on every allocation
// it makes: under load, every store worker met every other there (perf: the
// pthread mutex calls were 6% of a granted start's time). Nothing reads them.
// Only possible before SQLite initializes; a process that used SQLite before
// its first store (a test) keeps the statistics, which is merely slower.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Connection::Connection(const std::string& path, OpenMode mode) {
  if (path.empty()) throw StoreError("database path is empty");
  configure_sqlite_once();
  const bool on_disk = path != ":memory:";
  const bool read_only = mode == OpenMode::kReadOnly || mode == OpenMode::kInspect;
  if (on_disk && mode == OpenMode::kCreate) create_owner_only(path);
  // A reader tightens them too (docs/operations.md): the side files SQLite
  // makes for it take the database's mode. Only a look that must leave no
  // trace (kInspect) changes nothing.
  if (on_disk && mode != OpenMode::kInspect) restrict_to_owner(path);
  const bool immutable = mode == OpenMode::kInspect && ::access((path + "-wal").c_str(), F_OK) != 0;
  // Never SQLITE_OPEN_CREATE: the file exists by now, or must not be created.
  // NOMUTEX: a connection is used by one thread at a time (store.hpp), so its
  // own mutex, taken on every call, guards nothing. A connection that may
  // write hands each commit to the WAL in one write (wal_write_buffer.hpp).
  const int rc = sqlite3_open_v2(
      immutable ? immutable_uri(path).c_str() : path.c_str(), &db_,
      (read_only ? SQLITE_OPEN_READONLY | (immutable ? SQLITE_OPEN_URI : 0)
                 : SQLITE_OPEN_READWRITE) |
          SQLITE_OPEN_NOMUTEX,
      read_only ? nullptr : wal_write_buffer_vfs());
  if (rc != SQLITE_OK) {
    const bool missing = db_ && sqlite3_system_errno(db_) == ENOENT;
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    if (missing) throw StoreError("database " + path + " does not exist");
    throw StoreError("cannot open database " + path + ": " + message);
  }
  try {
    // Extended codes tell a UNIQUE violation apart from a foreign-key one.
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    exec(db_, "PRAGMA foreign_keys = ON", "cannot enable foreign keys on " + path);
    // WAL lets the pool's readers run while one worker writes. An in-memory
    // database answers "memory", which is fine for it. A reader leaves the
    // mode to the writers.
    const std::string journal = read_only ? "wal" : journal_mode(db_, "PRAGMA journal_mode = WAL");
    if (journal != "wal" && journal != "memory") {
      throw StoreError("cannot use WAL journaling on " + path + " (journal mode is \"" + journal +
                       "\")");
    }
    // NORMAL is durable across application crashes in WAL mode; only a power
    // loss may drop the last commits.
    exec(db_, "PRAGMA synchronous = NORMAL", "cannot set synchronous on " + path);
    // A savepoint's statements journal into a temporary file, created and
    // unlinked in /var/tmp once per group-commit batch (seen with strace under
    // load); the journal holds only the pages one statement changed, so
    // memory is the cheaper home.
    exec(db_, "PRAGMA temp_store = MEMORY", "cannot set temp_store on " + path);
    if (!read_only && journal == "wal") {
      checkpointer_ = WalCheckpointer::of(path);
      checkpointer_->attach(db_);
    }
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Connection::~Connection() {
  sqlite3_close_v2(db_);
}

void backup_database(sqlite3* db, const std::string& dest) {
  create_backup_file(dest);

  sqlite3* out = nullptr;
  std::string failure;
  if (sqlite3_open_v2(dest.c_str(), &out, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    failure = out ? sqlite3_errmsg(out) : "out of memory";
  } else if (sqlite3_backup* backup = sqlite3_backup_init(out, "main", db, "main")) {
    // -1 copies every page in one step; busy/locked only means "try again".
    int rc = SQLITE_OK;
    for (int tries = 0; tries < 200; ++tries) {
      rc = sqlite3_backup_step(backup, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_sleep(50);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      failure =
          rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "database stayed locked" : sqlite3_errmsg(out);
    }
  } else {
    failure = sqlite3_errmsg(out);
  }
  sqlite3_close_v2(out);
  if (!failure.empty()) {
    std::remove(dest.c_str());  // leave no half-written backup behind
    throw StoreError("backup to " + dest + " failed: " + failure);
  }
}

}  // namespace sevu::sqlite

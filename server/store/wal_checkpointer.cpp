#include "store/wal_checkpointer.hpp"

#include <map>
#include <utility>

#include "core/thread_name.hpp"

namespace sevu::sqlite {

std::shared_ptr<WalCheckpointer> WalCheckpointer::of(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<WalCheckpointer>> registry;
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& slot = registry[path];
  auto existing = slot.lock();
  if (existing) return existing;
  auto made = std::make_shared<WalCheckpointer>(path);
  slot = made;
  return made;
}

WalCheckpointer::WalCheckpointer(std::string path) : path_(std::move(path)) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::attach(sqlite3* db) {
  sqlite3_wal_hook(db, &WalCheckpointer::on_commit, this);
}

unsigned long long WalCheckpointer::background_runs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return runs_;
}

// Called by SQLite after each commit, the write lock already released, with
// the number of pages now in the log.
int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto& me = *static_cast<WalCheckpointer*>(self);
  const int backfilled = me.backfilled_.load();
  if (pages < backfilled) me.backfilled_.store(0);  // the log started over since
  if (pages < kBackgroundPages) return SQLITE_OK;
  // Caught up all but a little: this thread copies the rest itself, so that
  // its next transaction finds the log fully copied and starts it over.
  const bool nearly_copied = pages >= backfilled && pages - backfilled <= kInlineRemainderPages;
  if (nearly_copied) {
    // Busy (another checkpoint is running) is fine: a later commit asks again.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kInlinePages) {
    // At the limit the writer waits out a background run rather than let the
    // log grow through it.
    if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) ==
        SQLITE_BUSY) {
      me.wait_for_background();
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  } else {
    me.request();
  }
  return SQLITE_OK;
}

void WalCheckpointer::request() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (requested_ || stopping_) return;
    requested_ = true;
    if (!thread_.joinable()) {
      thread_ = std::thread([this] {
        name_this_thread("sevu-checkpoint");
        run();
      });
    }
  }
  wake_.notify_one();
}

void WalCheckpointer::wait_for_background() {
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [this] { return !running_; });
}

void WalCheckpointer::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      running_ = true;
    }
    checkpoint();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // Cleared after the run: commits during it found a request pending, and
      // the next commit past the threshold asks again.
      requested_ = false;
      running_ = false;
      ++runs_;
    }
    finished_.notify_all();
  }
}

// A connection that has not read the database yet does not know it is in WAL
// mode, and its checkpoints would do nothing: asking for the mode reads it.
bool WalCheckpointer::open() {
  const bool opened =
      sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) ==
          SQLITE_OK &&
      sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK;
  if (opened) return true;
  sqlite3_close_v2(db_);
  db_ = nullptr;
  return false;
}

namespace {

// Syncs the file `op` names (SQLITE_FCNTL_FILE_POINTER: the database;
// SQLITE_FCNTL_JOURNAL_POINTER: its log) through db's own handle, if open.
void sync_file(sqlite3* db, int op) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", op, &file) != SQLITE_OK || !file || !file->pMethods) return;
  file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
}

}  // namespace

// A run copies what the log holds, in passes repeated while the writer added
// more than kInlineRemainderPages meanwhile, so that it finds little left to
// copy. Then it syncs the database and the log here, off the writer's path:
// SQLite syncs the database only in a checkpoint that copied the whole log,
// so the writer's checkpoint, the one that lets the log start over, used to
// flush every page the background had copied since, and an fdatasync grows
// with what it flushes (0.3 ms for one page, 2.7 ms for 100, 11.5 ms for
// 1,000 on the bench machine). A failure (the file gone, out of memory)
// leaves checkpoints to the writers' inline fallback, which keeps the log
// bounded as SQLite alone would.
void WalCheckpointer::checkpoint() {
  if (!db_ && !open()) return;
  int backfilled = -1;
  for (int pass = 0; pass < kPassesPerRun; ++pass) {
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) !=
        SQLITE_OK)
      break;
    backfilled = copied;
    if (log - copied <= kInlineRemainderPages) break;
  }
  if (backfilled < 0) return;
  sync_file(db_, SQLITE_FCNTL_FILE_POINTER);
  sync_file(db_, SQLITE_FCNTL_JOURNAL_POINTER);
  backfilled_.store(backfilled);
}

}  // namespace sevu::sqlite

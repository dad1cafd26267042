// Checkpoints of an SQLite database's write-ahead log, off the writer's path
// (docs/performance.md, "Checkpoints in the background").
//
// SQLite's own automatic checkpoint runs inside the commit that took the log
// past 1,000 pages, on the committing thread: it copies the log's pages into
// the database file and syncs both, and under load that thread is the group
// commit's writer, so every decision queued behind it waited for two fsyncs
// (a granted start's p99 was 15-17 ms; with no checkpoint at all, 5.6 ms).
// Here the commit only signals, and a thread of the checkpointer's own, on a
// connection of its own, runs the checkpoint. PASSIVE checkpoints never take
// the write lock, so commits go on while it copies.
//
// SQLite starts the log over only when a transaction begins while every page
// in it is in the database, and a checkpoint that runs beside a busy writer
// always trails it by the batch or two committed meanwhile. So once the
// background has copied all but kInlineRemainderPages, the committing thread
// copies the rest itself, as SQLite would have, and its next transaction
// starts the log over: that checkpoint is a few dozen pages instead of a
// thousand, and the background has synced the rest already, so its syncs are
// short too. A log past kInlinePages (the background failing, or slower than
// the writer) is checkpointed the same way, the writer first waiting out a
// background run in progress, so the log stays bounded: as with SQLite alone,
// unless a reader holds on to an old snapshot all along.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace sevu::sqlite {

class WalCheckpointer {
 public:
  // The log a background run waits for (16 MiB at 4 KiB pages). SQLite's own
  // threshold is 1,000 pages (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT), and so was
  // this one until 2026-12-02; at 4,000, a run copies a page the writer keeps
  // changing (the last leaf of each index) once where it copied it four
  // times, and the writer's own checkpoint (below) comes four times less
  // often: sevu.request's p99 20-30 -> 11-15 ms, a granted start's 5.0-5.5 ->
  // 4.2-4.7 ms (docs/performance.md, "A longer log before each checkpoint").
  // Readers pay for a longer log only in the WAL index's hash tables, one per
  // 4,096 frames (SQLite's wal.c): v2 GETs ran unchanged.
  static constexpr int kBackgroundPages = 4000;
  // Four times that (64 MiB at 4 KiB pages): room for a checkpoint to trail
  // a busy writer before the writer helps. Under a stream of grants the log
  // still reaches it now and then (median 19 MiB, p90 42 MiB).
  static constexpr int kInlinePages = 4 * kBackgroundPages;
  // What the committing thread copies itself once the background has copied
  // the rest. A background run repeats its pass (at most kPassesPerRun) until
  // it trails the writer by no more than this, then syncs what it copied.
  // Under a steady stream of granted starts its last pass leaves 20-64 pages
  // (median 52), one or two batches' worth, and the writer's checkpoint then
  // takes 1.1-1.6 ms (a few 2-4 ms) where, at 256 pages and without the
  // background's syncs, it took 3.5-5 ms (bench machine, docs/performance.md,
  // "The writer's checkpoint made short").
  static constexpr int kInlineRemainderPages = 64;
  static constexpr int kPassesPerRun = 4;

  // The one checkpointer of the database at path in this process, made on
  // first use; it lives while a connection holds it.
  static std::shared_ptr<WalCheckpointer> of(const std::string& path);

  explicit WalCheckpointer(std::string path);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Takes over db's automatic checkpoints (sqlite3_wal_hook). The checkpointer
  // must outlive db.
  void attach(sqlite3* db);

  // Checkpoints run so far on this checkpointer's thread (for tests).
  unsigned long long background_runs() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void request();
  void wait_for_background();  // until no background run is in progress
  void run();
  void checkpoint();
  bool open();

  const std::string path_;
  std::atomic<int> backfilled_{0};  // pages of the log the last background run copied
  sqlite3* db_ = nullptr;  // the checkpointer's own connection, opened on first need
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;  // a background run ended
  bool requested_ = false;
  bool running_ = false;
  bool stopping_ = false;
  unsigned long long runs_ = 0;
  std::thread thread_;  // started on the first request
};

}  // namespace sevu::sqlite

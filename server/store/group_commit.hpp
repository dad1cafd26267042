// Group commit (docs/performance.md). A write that runs in a transaction of its
// own pays for the transaction: the locks, the pages it dirties written out,
// the commit; a second's writes cost a second's worth of commits. Here writes
// queue, and one store worker at a time takes every queued one into a single
// transaction:
//   - one that throws fails alone: the batch runs without a savepoint per
//     write, and if one throws, it is rolled back and the writes not yet
//     answered run again, each in its own savepoint (group_commit.cpp);
//   - a write that promises nothing (a refused start: its attempt row may
//     follow the answer) is answered as soon as it has run, before the commit;
//     at most the rows of the batch in flight can be lost to a SIGKILL;
//   - every other write is answered only after the commit that records it;
//   - if the commit fails, every write waiting on it is answered failed, what
//     the batch did in memory is taken back, and the rows owed by the writes
//     already answered are written again on their own, so none is dropped
//     while the process lives.
// While one batch commits, the next one gathers: the busier the server, the
// more writes share a commit. The usher's decisions and the legacy API's
// signed writes each have one (docs/performance.md, "Group commit").
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/delay_queue.hpp"
#include "core/records.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"

namespace sevu {

// What a write leaves for the writer, should its batch be rolled back after all.
struct IfRolledBack {
  std::vector<std::function<void()>> undo;  // in-memory effects to take back
  // Rows of writes answered before the commit, shared with the write that owes
  // them rather than copied: the copy (and the vectors' growth) cost the writer
  // about a twelfth of a refused start's row, for a rollback that almost never
  // comes (docs/performance.md, "Owed rows kept, not copied").
  std::vector<std::shared_ptr<const Attempt>> owed_rows;
};

// How a write ended, as its done callback hears it (exactly once).
struct WriteOutcome {
  // kUnavailable: the store could not be reached (StoreUnavailable).
  enum class Status { kDone, kFailed, kBusy, kUnavailable } status = Status::kDone;
  std::string failure;  // kFailed, kUnavailable: why (an exception's text)
};

struct BatchedWrite {
  // Runs inside the batch's transaction; throws to fail alone. Returns true
  // when its answer must wait for the commit, false when it may be answered
  // at once (whatever it wrote is owed, not promised). May run twice: when
  // another write of its batch threw before its answer, what it did is taken
  // back (the store's rollback, its IfRolledBack::undo) and it runs again.
  std::function<bool(Store&, IfRolledBack&)> work;
  std::function<void(WriteOutcome)> done;
  // Answered by its submitter before it ran (GroupCommit::owe): done hears
  // only a failure of its own, and nothing refuses it once queued.
  bool owed = false;
  // The key of the ticket work reads (a start's, which also writes one
  // attempt row), or empty: a batch's keys go to Store::read_ahead before
  // its writes run. It views memory that work keeps alive (the request it
  // captured), so no copy is made.
  std::string_view reads_ticket = {};
  // The kept reply work looks up (a signed write's), also for read_ahead;
  // its signature views memory work keeps alive, as reads_ticket does.
  std::optional<ReplyAsked> reads_reply = std::nullopt;
  bool adds_ticket = false;  // work inserts one ticket (sevu.request)
};

// How long owed writes (GroupCommit::owe) wait for company before a writer is
// woken for them: until `rows` of them wait, or the first has waited `wait`.
// rows <= 1: no waiting. The usher's values, and the measurements behind them,
// are with its kOwedRows (docs/performance.md, "Owed rows wait for company").
struct OwedBatching {
  std::size_t rows = 1;
  std::chrono::milliseconds wait{0};
};

// Runs one write in a transaction of its own on the caller's store, with the
// same outcomes as a batch of one: for callers without a GroupCommit (tools,
// tests that drive an API on one connection).
void run_alone(Store& store, BatchedWrite write);

class GroupCommit {
 public:
  // The writer runs as a job on `lane` of stores. At most max_waiting writes
  // wait for it; more are refused (submit false: the caller answers busy). At
  // most max_batch share one transaction. on_batch (may be empty) hears the
  // size of each batch committed.
  static constexpr std::size_t kMaxWaiting = 4096, kMaxBatch = 512;
  GroupCommit(StorePool& stores, StorePool::Lane lane,
              std::function<void(std::size_t)> on_batch = {}, std::size_t max_waiting = kMaxWaiting,
              std::size_t max_batch = kMaxBatch, OwedBatching owed_batching = {});
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // From any thread; never blocks on the store. write.done hears it once,
  // unless submit returns false.
  bool submit(BatchedWrite write);

  // From any thread: a write whose submitter answers before it runs (a
  // refusal repeated from memory, whose attempt row may follow the answer).
  // Counted as answered from now on, so after_answered() waits for it; queued
  // until a writer takes it, whatever the pool's queue, so its row is never
  // dropped while the process lives. `failed` (may be empty) hears a failure
  // of its own. False when max_waiting writes wait: nothing was taken, and the
  // caller must decide the slow way. With OwedBatching, it waits for company
  // (any other write takes it along at once).
  bool owe(std::function<void(Store&, IfRolledBack&)> work,
           std::function<void(WriteOutcome)> failed = {});

  // From any thread. `then` runs once every write answered so far is in the
  // store: committed, or, its batch having failed, its owed rows written again.
  // Runs at once when no answered write is still waiting on a commit (the
  // usual case), else on the writer after the next commit. Lets a reader see
  // what was answered before it asked (docs/performance.md, "Durability").
  void after_answered(std::function<void()> then);

  // From any thread: owed writes waiting for company go to a writer now. Call
  // before the pool stops, so that none is left behind.
  void write_waiting();

 private:
  static constexpr int kBatchesPerJob = 8;
  // While recent batches average at least this many writes, a write
  // submitted on an io thread wakes the writer at the end of that thread's
  // burst, with the writes read beside it (core/io_burst.hpp). Under lighter
  // load a burst holds one write, and waking at once spares it the wait for
  // the burst to end (deferring always: 5-7 % fewer grants at 4 connections,
  // against 3-6 % more at 64; docs/performance.md, "The writer woken once per
  // burst").
  static constexpr unsigned kCompanyFrom = 8;
  void wake_writer();
  bool company_expected() const;
  void count_batch(std::size_t size);
  void write(Store& store);  // the writer job, on a store worker
  std::vector<BatchedWrite> take_batch();
  void schedule_writer();
  // Who takes a write just queued: a writer now, one already scheduled or the
  // alarm already armed (kNone), or an alarm the caller arms (an owed write
  // waiting for company).
  enum class Wake { kWriter, kNone, kAlarm };
  std::optional<Wake> enqueue(BatchedWrite write);  // nullopt: max_waiting wait
  Wake wake_for_owed();                             // under mutex_, none scheduled

  StorePool& stores_;
  const StorePool::Lane lane_;
  const std::function<void(std::size_t)> on_batch_;
  const std::size_t max_waiting_, max_batch_;
  const OwedBatching owed_batching_;
  std::mutex mutex_;
  std::vector<BatchedWrite> waiting_;
  bool writer_scheduled_ = false;  // a writer job is queued or running
  std::atomic<std::size_t> answered_uncommitted_{0};  // answered before their batch committed
  // The batches' recent mean size in sixteenths (an exponential average,
  // each batch weighing 1/8), written by the one running writer.
  std::atomic<unsigned> recent_batch_x16_{16};
  bool alarm_armed_ = false;  // under mutex_: write_waiting() is due on the alarm
  bool closing_ = false;      // under mutex_: the destructor has begun
  std::unique_ptr<DelayQueue> alarm_;  // with OwedBatching only
};

}  // namespace sevu

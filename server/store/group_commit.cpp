#include "store/group_commit.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "core/io_burst.hpp"

namespace sevu {

namespace {

// Only inside a catch block: the outcome the exception being handled means.
WriteOutcome current_failure() {
  try {
    throw;
  } catch (const StoreUnavailable& e) {
    return WriteOutcome{WriteOutcome::Status::kUnavailable, e.what()};
  } catch (const std::exception& e) {
    return WriteOutcome{WriteOutcome::Status::kFailed, e.what()};
  } catch (...) {
    return WriteOutcome{WriteOutcome::Status::kFailed, "a non-standard exception"};
  }
}

// The batch that held them is gone; the writes were answered, so their rows
// are still owed. Written in a transaction of their own; should that fail too,
// the store itself is failing, which the batch's other writes already reported.
void rewrite_owed_rows(Store& store, const std::vector<std::shared_ptr<const Attempt>>& rows) {
  if (rows.empty()) return;
  try {
    store.transaction([&] {
      for (const auto& row : rows) store.hold_attempt(*row);
    });
  } catch (...) {
  }
}

// What the batch's writes will read and write (a start with a key, an owed
// refusal: one attempt row each; a signed write: its kept reply, and a ticket
// if it makes one), for a store that gains from knowing it at once
// (Store::read_ahead). A batch that reads nothing and makes no ticket gains
// nothing from it: its attempt rows go with its COMMIT.
void read_ahead(Store& store, const std::vector<BatchedWrite>& batch) {
  if (!store.gains_from_read_ahead()) return;
  BatchReads reads;
  for (const auto& write : batch) {
    if (!write.reads_ticket.empty()) reads.tickets.push_back(write.reads_ticket);
    if (!write.reads_ticket.empty() || write.owed) ++reads.attempt_rows;
    if (write.reads_reply) reads.replies.push_back(*write.reads_reply);
    if (write.adds_ticket) ++reads.new_tickets;
  }
  if (!reads.tickets.empty() || !reads.replies.empty() || reads.new_tickets > 0)
    store.read_ahead(reads);
}

enum class BatchEnd { kCommitted, kFailed, kRunAgain };

// Runs batch in one transaction. Writes answered before the commit are counted
// in answered_uncommitted (before their answer goes out) until the commit, or
// the rewrite of their rows, has happened.
//   - Without run_again, each write runs in its own savepoint, and one that
//     throws fails alone (kCommitted, or kFailed when the commit itself failed).
//   - With it, no write has a savepoint, and one that throws takes the
//     transaction with it: everything is rolled back and taken back in memory,
//     the rows of the writes answered so far are written again on their own,
//     and every other write (the one that threw included) is moved to
//     *run_again, to run in a batch with savepoints (kRunAgain).
BatchEnd run_batch(Store& store, std::vector<BatchedWrite>& batch,
                   std::atomic<std::size_t>& answered_uncommitted,
                   std::vector<BatchedWrite>* run_again) {
  const bool savepoints = run_again == nullptr;
  std::vector<bool> answered(batch.size(), false);
  std::size_t answered_early = 0;  // owed writes were counted when they were queued
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].owed) continue;
    answered[i] = true;
    ++answered_early;
  }
  IfRolledBack batch_effects;
  batch_effects.owed_rows.reserve(answered_early);  // an owed write owes one row
  IfRolledBack own;  // one write's effects, emptied (not made anew) for the next
  std::optional<std::size_t> threw_at;  // without savepoints: the write that threw
  try {
    store.transaction([&] {
      // A failure here is no write's: all of them run again, in savepoints,
      // each reading its own ticket and numbering its own row. Nothing is
      // read ahead in that run: a ticket numbered ahead whose key was taken
      // fails this run, and there its insert draws another key.
      if (!savepoints) {
        threw_at = 0;
        read_ahead(store, batch);
        threw_at.reset();
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        own.undo.clear();
        own.owed_rows.clear();
        bool needs_commit = true;
        try {
          if (savepoints) {
            store.savepoint([&] { needs_commit = batch[i].work(store, own); });
          } else {
            needs_commit = batch[i].work(store, own);
          }
        } catch (...) {
          for (auto& step : own.undo) step();
          if (!savepoints) {
            threw_at = i;
            throw;
          }
          if (batch[i].done) batch[i].done(current_failure());
          answered[i] = true;
          continue;
        }
        std::move(own.undo.begin(), own.undo.end(), std::back_inserter(batch_effects.undo));
        std::move(own.owed_rows.begin(), own.owed_rows.end(),
                  std::back_inserter(batch_effects.owed_rows));
        if (!needs_commit && !batch[i].owed) {
          answered_uncommitted += 1;
          ++answered_early;
          batch[i].done(WriteOutcome{});
          answered[i] = true;
        }
      }
      // Rows the store held back (Store::hold_attempt) are written here, so
      // that a failure to write them runs the unanswered writes again, each
      // in a savepoint, rather than failing every one at the COMMIT. In that
      // run each part writes its own rows.
      if (!savepoints) {
        threw_at = batch.size();
        store.write_held();
        threw_at.reset();
      }
    });
  } catch (...) {
    for (auto& step : batch_effects.undo) step();
    if (threw_at) {
      std::size_t rewritten = 0;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i < *threw_at && answered[i]) {
          ++rewritten;  // its rows are in batch_effects.owed_rows
        } else {
          run_again->push_back(std::move(batch[i]));
        }
      }
      rewrite_owed_rows(store, batch_effects.owed_rows);
      answered_uncommitted -= rewritten;  // owed writes run again stay counted
      return BatchEnd::kRunAgain;
    }
    const WriteOutcome failure = current_failure();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!answered[i]) batch[i].done(failure);
    }
    rewrite_owed_rows(store, batch_effects.owed_rows);
    answered_uncommitted -= answered_early;
    return BatchEnd::kFailed;
  }
  answered_uncommitted -= answered_early;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!answered[i]) batch[i].done(WriteOutcome{});
  }
  return BatchEnd::kCommitted;
}

// True when the batch's writes committed. A savepoint per write costs two
// statements on SQLite (a sixth of an owed attempt row's insert) and two
// round trips on PostgreSQL (two thirds of an owed row's), and writes rarely
// throw: a batch first runs without them, and only when a write throws do
// the writes not yet answered run again, each in its own savepoint
// (docs/performance.md, "Savepoints only after a failure").
bool commit_batch(Store& store, std::vector<BatchedWrite>& batch,
                  std::atomic<std::size_t>& answered_uncommitted) {
  std::vector<BatchedWrite> run_again;
  switch (run_batch(store, batch, answered_uncommitted, &run_again)) {
    case BatchEnd::kCommitted:
      return true;
    case BatchEnd::kFailed:
      return false;
    case BatchEnd::kRunAgain:
      break;
  }
  return run_batch(store, run_again, answered_uncommitted, nullptr) == BatchEnd::kCommitted;
}

}  // namespace

void run_alone(Store& store, BatchedWrite write) {
  std::vector<BatchedWrite> batch;
  batch.push_back(std::move(write));
  std::atomic<std::size_t> answered_uncommitted{0};
  commit_batch(store, batch, answered_uncommitted);
}

GroupCommit::GroupCommit(StorePool& stores, StorePool::Lane lane,
                         std::function<void(std::size_t)> on_batch, std::size_t max_waiting,
                         std::size_t max_batch, OwedBatching owed_batching)
    : stores_(stores),
      lane_(lane),
      on_batch_(std::move(on_batch)),
      max_waiting_(std::max<std::size_t>(max_waiting, 1)),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      owed_batching_(owed_batching) {
  // One alarm at a time is armed.
  if (owed_batching_.rows > 1) alarm_ = std::make_unique<DelayQueue>(1);
}

// An alarm still armed rings as its queue stops; by then the writer must not
// be scheduled on this object any more.
GroupCommit::~GroupCommit() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  alarm_.reset();
}

bool GroupCommit::submit(BatchedWrite write) {
  const std::optional<Wake> wake = enqueue(std::move(write));
  if (!wake) return false;
  if (*wake == Wake::kWriter) wake_writer();
  // The alarm refuses only once stopping: then nothing is worth waiting for.
  if (*wake == Wake::kAlarm && !alarm_->after(owed_batching_.wait, [this] { write_waiting(); }))
    write_waiting();
  return true;
}

// On an io thread under load, the writer is woken once the writes that arrived
// with this one have been read too (core/io_burst.hpp); else at once.
void GroupCommit::wake_writer() {
  if (company_expected() && IoBurst::defer([this] { schedule_writer(); })) return;
  schedule_writer();
}

bool GroupCommit::company_expected() const {
  return recent_batch_x16_.load(std::memory_order_relaxed) >= kCompanyFrom * 16;
}

void GroupCommit::count_batch(std::size_t size) {
  const auto mean = static_cast<long>(recent_batch_x16_.load(std::memory_order_relaxed));
  const long now = static_cast<long>(std::min<std::size_t>(size, 4096)) * 16;
  recent_batch_x16_.store(static_cast<unsigned>(mean + (now - mean) / 8),
                          std::memory_order_relaxed);
}

std::optional<GroupCommit::Wake> GroupCommit::enqueue(BatchedWrite write) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (waiting_.size() >= max_waiting_) return std::nullopt;
  const bool owed = write.owed;
  waiting_.push_back(std::move(write));
  if (writer_scheduled_) return Wake::kNone;  // the running writer takes it with its next batch
  const Wake wake = owed ? wake_for_owed() : Wake::kWriter;
  if (wake == Wake::kWriter) writer_scheduled_ = true;
  return wake;
}

bool GroupCommit::owe(std::function<void(Store&, IfRolledBack&)> work,
                      std::function<void(WriteOutcome)> failed) {
  BatchedWrite write{[work = std::move(work)](Store& store, IfRolledBack& if_rolled_back) {
                       work(store, if_rolled_back);
                       return false;
                     },
                     std::move(failed), true};
  answered_uncommitted_ += 1;  // before the caller's answer can go out
  if (submit(std::move(write))) return true;
  answered_uncommitted_ -= 1;
  return false;
}

GroupCommit::Wake GroupCommit::wake_for_owed() {
  if (!alarm_ || waiting_.size() >= owed_batching_.rows) return Wake::kWriter;
  if (alarm_armed_) return Wake::kNone;
  alarm_armed_ = true;
  return Wake::kAlarm;
}

void GroupCommit::write_waiting() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    alarm_armed_ = false;
    if (closing_ || writer_scheduled_ || waiting_.empty()) return;
    writer_scheduled_ = true;
  }
  schedule_writer();
}

// The marker joins the queue behind every write already answered, so its
// batch commits after theirs; whatever its outcome, `then` runs (a full queue
// runs it at once: a reader is better served a moment early than not at all).
void GroupCommit::after_answered(std::function<void()> then) {
  if (answered_uncommitted_.load() == 0) return then();
  auto shared = std::make_shared<std::function<void()>>(std::move(then));
  BatchedWrite marker{[](Store&, IfRolledBack&) { return true; },
                      [shared](WriteOutcome) { (*shared)(); }};
  if (!submit(std::move(marker))) (*shared)();
}

// When the pool refuses (its queue is full), nothing else would ever take the
// waiting writes: they are answered busy here rather than left hanging. Owed
// writes were answered already: they stay queued for the next writer, which
// the next submit (or after_answered's marker) schedules.
void GroupCommit::schedule_writer() {
  if (stores_.submit_write([this](Store& store) { write(store); }, lane_)) return;
  std::vector<BatchedWrite> refused;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto owed_end = std::stable_partition(waiting_.begin(), waiting_.end(),
                                          [](const BatchedWrite& w) { return w.owed; });
    refused.assign(std::make_move_iterator(owed_end), std::make_move_iterator(waiting_.end()));
    waiting_.erase(owed_end, waiting_.end());
    writer_scheduled_ = false;
  }
  for (auto& item : refused) item.done(WriteOutcome{WriteOutcome::Status::kBusy, {}});
}

std::vector<BatchedWrite> GroupCommit::take_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<BatchedWrite> batch;
  if (waiting_.size() <= max_batch_) {
    batch.swap(waiting_);
  } else {
    auto end = waiting_.begin() + static_cast<std::ptrdiff_t>(max_batch_);
    batch.assign(std::make_move_iterator(waiting_.begin()), std::make_move_iterator(end));
    waiting_.erase(waiting_.begin(), end);
  }
  if (batch.empty()) writer_scheduled_ = false;  // the next submit schedules a new writer
  return batch;
}

// A few batches per job, each taken as the one before commits, then the
// writer queues itself again behind whatever else waits for a store worker, so
// reads are never starved by a stream of writes. Going on in the same job
// spares each batch a hand-over to another worker: a futex wake-up and a
// context switch, 5-8 % of the store threads' time under a stream of refusals
// (perf, docs/performance.md).
void GroupCommit::write(Store& store) {
  for (int round = 0; round < kBatchesPerJob; ++round) {
    std::vector<BatchedWrite> batch = take_batch();
    if (batch.empty()) return;  // take_batch let the next submit schedule a writer
    count_batch(batch.size());
    if (commit_batch(store, batch, answered_uncommitted_) && on_batch_) on_batch_(batch.size());
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty()) {
      writer_scheduled_ = false;
      return;
    }
  }
  schedule_writer();
}

}  // namespace sevu

#include "usher_service/group_commit.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <utility>

namespace sevu::usher_service {

namespace {

UsherDecision failed(std::string cause) {
  UsherDecision d;
  d.status = UsherDecision::Status::kFailed;
  d.failure = std::move(cause);
  return d;
}

std::string current_cause() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

}  // namespace

GroupCommit::GroupCommit(StorePool& stores, std::function<void(std::size_t)> on_batch,
                         std::size_t max_waiting, std::size_t max_batch)
    : stores_(stores),
      on_batch_(std::move(on_batch)),
      max_waiting_(std::max<std::size_t>(max_waiting, 1)),
      max_batch_(std::max<std::size_t>(max_batch, 1)) {}

bool GroupCommit::submit(WriteDecision work, DecisionDone done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.size() >= max_waiting_) return false;
    waiting_.push_back(Item{std::move(work), std::move(done)});
    if (writer_scheduled_) return true;  // the running writer takes it with its next batch
    writer_scheduled_ = true;
  }
  schedule_writer();
  return true;
}

// Queued on the hooks lane, which store workers take first. When the pool
// refuses (its queue is full), nothing else would ever take the waiting
// decisions: they are answered busy here rather than left hanging.
void GroupCommit::schedule_writer() {
  if (stores_.submit([this](Store& store) { write(store); }, StorePool::Lane::hooks)) return;
  std::vector<Item> refused;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    refused.swap(waiting_);
    writer_scheduled_ = false;
  }
  UsherDecision busy;
  busy.status = UsherDecision::Status::kBusy;
  for (auto& item : refused) item.done(busy);
}

// The batch that held them is gone; the refusals were answered, so their rows
// are still owed. Written in a transaction of their own; should that fail too,
// the store itself is failing, which the batch's grants already reported.
void GroupCommit::rewrite_refusals(Store& store, const std::vector<Attempt>& rows) {
  if (rows.empty()) return;
  try {
    store.transaction([&] {
      for (const auto& row : rows) store.insert_attempt(row);
    });
  } catch (...) {
  }
}

std::vector<GroupCommit::Item> GroupCommit::take_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Item> batch;
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

// One batch per job, then the writer queues itself again behind whatever else
// waits for a store worker, so reads are never starved by a stream of writes.
void GroupCommit::write(Store& store) {
  std::vector<Item> batch = take_batch();
  if (batch.empty()) return;
  commit_batch(store, batch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty()) {
      writer_scheduled_ = false;
      return;
    }
  }
  schedule_writer();
}

void GroupCommit::commit_batch(Store& store, std::vector<Item>& batch) {
  std::vector<UsherDecision> decided(batch.size());
  std::vector<bool> answered(batch.size(), false);
  IfRolledBack batch_effects;
  try {
    store.transaction([&] {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        IfRolledBack own;
        try {
          store.savepoint([&] { decided[i] = batch[i].work(store, own); });
          std::move(own.undo.begin(), own.undo.end(), std::back_inserter(batch_effects.undo));
          std::move(own.refusal_rows.begin(), own.refusal_rows.end(),
                    std::back_inserter(batch_effects.refusal_rows));
        } catch (...) {
          for (auto& step : own.undo) step();
          decided[i] = failed(current_cause());
        }
        // A refusal or a failure writes nothing anyone was promised: answered now.
        if (!decided[i].allowed) {
          batch[i].done(std::move(decided[i]));
          answered[i] = true;
        }
      }
    });
  } catch (...) {
    for (auto& step : batch_effects.undo) step();
    const std::string cause = current_cause();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!answered[i]) batch[i].done(failed(cause));
    }
    rewrite_refusals(store, batch_effects.refusal_rows);
    return;
  }
  if (on_batch_) on_batch_(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!answered[i]) batch[i].done(std::move(decided[i]));
  }
}

}  // namespace sevu::usher_service

// Group commit of the usher's writes (docs/performance.md). Every decision that
// writes (a start spends a use and logs its attempt) used to be one store-pool
// job and one write transaction, so a second's decisions cost a second's worth
// of commits, each waiting on the disk. Here decisions queue, and one store
// worker at a time takes every queued one into a single transaction:
//   - each runs in its own savepoint, so one that fails fails alone;
//   - a refusal is answered as soon as it is decided, before the commit (its
//     attempt row follows with the batch: at most the rows of the batch in
//     flight can be lost to a SIGKILL, never acknowledged grants);
//   - a grant is answered only after the commit that records it;
//   - if the commit fails, every grant of the batch is answered kFailed, what
//     the batch did in memory is taken back (sessions it opened are closed),
//     and the rows of the refusals already answered are written again on
//     their own, so no refusal's row is dropped while the process lives.
// While one batch commits, the next one gathers: the busier the server, the
// more decisions share a commit.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "store/store.hpp"
#include "store/store_pool.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::usher_service {

// What a decision leaves for the writer, should its batch be rolled back after all.
struct IfRolledBack {
  std::vector<std::function<void()>> undo;  // in-memory effects to take back
  std::vector<Attempt> refusal_rows;        // rows of refusals answered before the commit
};
// One decision's work, run inside the batch's transaction.
using WriteDecision = std::function<UsherDecision(Store&, IfRolledBack&)>;

class GroupCommit {
 public:
  // At most max_waiting decisions wait for a writer; more are refused (submit
  // false: the caller answers busy). At most max_batch share one transaction.
  // on_batch (may be empty) hears the size of each batch committed.
  GroupCommit(StorePool& stores, std::function<void(std::size_t)> on_batch = {},
              std::size_t max_waiting = 4096, std::size_t max_batch = 512);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // From any thread; never blocks on the store. done hears the decision once.
  bool submit(WriteDecision work, DecisionDone done);

 private:
  struct Item {
    WriteDecision work;
    DecisionDone done;
  };
  void write(Store& store);  // the writer job, on a store worker
  void commit_batch(Store& store, std::vector<Item>& batch);
  std::vector<Item> take_batch();
  static void rewrite_refusals(Store& store, const std::vector<Attempt>& rows);
  void schedule_writer();

  StorePool& stores_;
  const std::function<void(std::size_t)> on_batch_;
  const std::size_t max_waiting_, max_batch_;
  std::mutex mutex_;
  std::vector<Item> waiting_;
  bool writer_scheduled_ = false;  // a writer job is queued or running
};

}  // namespace sevu::usher_service

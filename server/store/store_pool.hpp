// Worker threads that own the Store connections. The io threads hand jobs here
// and never touch the database themselves. Media servers' hook calls have a lane
// of their own: its own queue budget, workers that serve nothing else, and the
// shared workers take from it first, so no backlog of API work, however heavy
// its reads, delays or sheds a hook call.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace sevu {

class StorePool {
 public:
  using Job = std::function<void(Store&)>;
  using Factory = std::function<std::unique_ptr<Store>()>;
  enum class Lane { api, hooks };

  // Opens `workers` shared connections (at least 1) and `hook_workers` more that
  // take only hook jobs, up front so that open errors surface at start. Each
  // lane may hold max_queue waiting jobs.
  StorePool(const Factory& factory, std::size_t workers, std::size_t max_queue,
            std::size_t hook_workers = 1);
  ~StorePool();  // stop()

  // Queues job. Returns false without queuing when max_queue jobs are waiting
  // in its lane (the caller answers "server busy") or after stop().
  bool submit(Job job, Lane lane = Lane::api);
  // As submit, but the job runs on the lane's writer connection, whichever
  // worker takes it: a group commit's writer (store/group_commit.hpp). SQLite
  // in WAL mode empties a connection's page cache whenever another one has
  // committed since its last transaction, so a writer that hopped between the
  // shared workers' connections read most of the pages it changed back from
  // the file: pread was 12 % of the store threads' time under legacy
  // sevu.request (docs/performance.md, "One connection for each writer").
  // Writer jobs of a lane run one at a time.
  bool submit_write(Job job, Lane lane = Lane::api);
  // As submit, for a job that only reads: a worker also takes the read jobs
  // queued right behind it (up to kReadGroup, and no more than half of those
  // waiting, so that the other workers get theirs) and runs them in one
  // Store::read_together. On SQLite each read transaction takes and drops the
  // log's read lock, two fcntl calls under a mutex that every connection of
  // the process shares, and the workers queued for it (docs/performance.md,
  // "Queued reads read together"); on PostgreSQL a group reads each account
  // once. Every job of a group was queued before the group's snapshot is
  // taken, so each sees what was committed before it was queued.
  bool submit_read(Job job, Lane lane = Lane::api);
  // Runs every queued job, then joins the workers and closes the connections.
  void stop();
  std::size_t queued() const;  // both lanes

 private:
  // At most this many reads share one transaction: enough to share the lock
  // among the reads a burst queues, few enough that none waits long behind
  // the others' reads.
  static constexpr std::size_t kReadGroup = 8;

  struct Queued {
    Job job;
    bool only_reads = false;  // submit_read's: may run together with others
  };

  bool enqueue(Queued queued, Lane lane);
  void run(Store& store, bool hooks_only);
  // The jobs a worker takes at once: the front one, and the reads behind it.
  std::vector<Job> take(std::deque<Queued>& queue);
  static void run_one(Store& store, Job& job);
  static void run_together(Store& store, std::vector<Job>& jobs);
  std::deque<Queued>& queue_of(Lane l) { return l == Lane::hooks ? hook_jobs_ : jobs_; }

  static std::size_t index_of(Lane l) { return l == Lane::hooks ? 1 : 0; }

  std::vector<std::unique_ptr<Store>> stores_;
  std::unique_ptr<Store> writers_[2];  // submit_write's connections, by index_of(lane)
  std::mutex writer_mutex_[2];
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // shared workers
  std::condition_variable hook_wake_;  // workers of the hook lane alone
  std::deque<Queued> jobs_;       // the API's
  std::deque<Queued> hook_jobs_;  // taken first
  std::size_t max_queue_;
  std::size_t idle_hook_workers_ = 0;  // hook-lane workers waiting for a job
  bool stopping_ = false;
};

}  // namespace sevu

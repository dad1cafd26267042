#include "store/store_pool.hpp"
#include "core/log.hpp"
#include "core/thread_name.hpp"

#include <exception>
#include <utility>

namespace sevu {

StorePool::StorePool(const Factory& factory, std::size_t workers, std::size_t max_queue,
                     std::size_t hook_workers)
    : max_queue_(max_queue) {
  if (workers == 0) workers = 1;
  workers += hook_workers;  // the last hook_workers serve the hook lane alone
  // Every connection is open before any thread starts, so a bad path or a
  // too-new schema throws from here and nothing needs stopping.
  auto open = [&factory] {
    auto store = factory();
    if (!store) throw StoreError("store factory returned no store");
    return store;
  };
  for (std::size_t i = 0; i < workers; ++i) stores_.push_back(open());
  for (auto& writer : writers_) writer = open();
  try {
    for (std::size_t i = 0; i < stores_.size(); ++i) {
      const bool hooks_only = i + hook_workers >= stores_.size();
      threads_.emplace_back([this, s = stores_[i].get(), hooks_only] { run(*s, hooks_only); });
    }
  } catch (...) {  // thread creation failed: wind down the ones already running
    stop();
    throw;
  }
}

StorePool::~StorePool() {
  stop();
}

// One wake-up per job: an idle worker of the hook lane takes a hook job alone;
// a shared worker is woken only when none is idle, or jobs are already
// waiting for it. (Waking both, as before, cost a futex call and a context
// switch of a worker that found nothing to do.)
bool StorePool::submit(Job job, Lane lane) {
  return enqueue(Queued{std::move(job), false}, lane);
}

bool StorePool::submit_read(Job job, Lane lane) {
  return enqueue(Queued{std::move(job), true}, lane);
}

bool StorePool::enqueue(Queued queued, Lane lane) {
  if (!queued.job) return false;
  bool hook_worker_takes_it = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& queue = queue_of(lane);
    if (stopping_ || queue.size() >= max_queue_) return false;
    queue.push_back(std::move(queued));
    hook_worker_takes_it = lane == Lane::hooks && idle_hook_workers_ > 0 && queue.size() == 1;
  }
  if (hook_worker_takes_it) {
    hook_wake_.notify_one();
  } else {
    wake_.notify_one();
  }
  return true;
}

bool StorePool::submit_write(Job job, Lane lane) {
  if (!job) return false;
  const std::size_t i = index_of(lane);
  return submit(
      [this, i, job = std::move(job)](Store&) {
        std::lock_guard<std::mutex> one_at_a_time(writer_mutex_[i]);
        job(*writers_[i]);
      },
      lane);
}

void StorePool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    // Taken under the lock so that concurrent or repeated stop() calls join
    // each thread once.
    threads.swap(threads_);
  }
  wake_.notify_all();
  hook_wake_.notify_all();
  for (auto& thread : threads) thread.join();  // workers drain the queue first
  if (threads.empty()) return;
  stores_.clear();
  for (auto& writer : writers_) writer.reset();
}

std::size_t StorePool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return jobs_.size() + hook_jobs_.size();
}

std::vector<StorePool::Job> StorePool::take(std::deque<Queued>& queue) {
  std::vector<Job> jobs;
  const bool only_reads = queue.front().only_reads;
  jobs.push_back(std::move(queue.front().job));
  queue.pop_front();
  if (!only_reads) return jobs;
  // Half of the reads waiting right behind it (rounded up), so that another
  // worker woken for them finds its share; counting no further than twice
  // kReadGroup - 1 keeps the group within kReadGroup.
  std::size_t reads_behind = 0;
  for (const auto& q : queue) {
    if (!q.only_reads || reads_behind == 2 * (kReadGroup - 1)) break;
    ++reads_behind;
  }
  for (std::size_t i = 0; i < (reads_behind + 1) / 2; ++i) {
    jobs.push_back(std::move(queue.front().job));
    queue.pop_front();
  }
  return jobs;
}

// Jobs should handle their own errors; this only keeps a stray exception from
// taking the worker (and the process) down.
void StorePool::run_one(Store& store, Job& job) {
  try {
    job(store);
  } catch (const std::exception& e) {
    log_line(LogLevel::kError, std::string("store job failed: ") + e.what());
  } catch (...) {
    log_line(LogLevel::kError, "store job failed with a non-standard exception");
  }
}

// Every job runs once: those the shared read did not reach (its BEGIN failed)
// run alone.
void StorePool::run_together(Store& store, std::vector<Job>& jobs) {
  std::size_t started = 0;
  if (jobs.size() > 1) {
    try {
      store.read_together([&] {
        while (started < jobs.size()) run_one(store, jobs[started++]);
      });
    } catch (const std::exception& e) {
      log_line(LogLevel::kError, std::string("store reads together failed: ") + e.what());
    } catch (...) {
      log_line(LogLevel::kError, "store reads together failed with a non-standard exception");
    }
  }
  while (started < jobs.size()) run_one(store, jobs[started++]);
}

void StorePool::run(Store& store, bool hooks_only) {
  name_this_thread(hooks_only ? "sevu-store-hook" : "sevu-store");
  for (;;) {
    std::vector<Job> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (hooks_only) {
        ++idle_hook_workers_;
        hook_wake_.wait(lock, [this] { return stopping_ || !hook_jobs_.empty(); });
        --idle_hook_workers_;
      } else {
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty() || !hook_jobs_.empty(); });
      }
      auto& queue = hook_jobs_.empty() && !hooks_only ? jobs_ : hook_jobs_;
      if (queue.empty()) return;  // stopping and drained
      jobs = take(queue);
    }
    run_together(store, jobs);
  }
}

}  // namespace sevu

// Worker threads that own the Store connections. The io threads hand jobs here
// and never touch the database themselves. Media servers' hook calls have a lane
// of their own: its own queue budget, and workers take from it first, so no
// backlog of API work delays or sheds a hook call.
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

  // Opens `workers` connections (at least 1) up front so that open errors surface at start.
  // Each lane may hold max_queue waiting jobs.
  StorePool(const Factory& factory, std::size_t workers, std::size_t max_queue);
  ~StorePool();  // stop()

  // Queues job. Returns false without queuing when max_queue jobs are waiting
  // in its lane (the caller answers "server busy") or after stop().
  bool submit(Job job, Lane lane = Lane::api);
  // Runs every queued job, then joins the workers and closes the connections.
  void stop();
  std::size_t queued() const;  // both lanes

 private:
  void run(Store& store);
  std::deque<Job>& queue_of(Lane l) { return l == Lane::hooks ? hook_jobs_ : jobs_; }

  std::vector<std::unique_ptr<Store>> stores_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;       // the API's
  std::deque<Job> hook_jobs_;  // taken first
  std::size_t max_queue_;
  bool stopping_ = false;
};

}  // namespace sevu

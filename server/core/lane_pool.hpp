// Worker threads for slow CPU work (the publish password hash), apart from the
// store workers, so that it never delays a play decision or an API call.
// Jobs wait per lane (the hooks use the publisher's address) and the workers
// serve the lanes in turn, so one busy lane cannot starve the others. Bounded
// twice: a lane with max_per_lane jobs waiting, or a pool with max_jobs, refuses
// the next job at once; nothing queues without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sevu {

class LanePool {
 public:
  using Job = std::function<void()>;

  LanePool(std::size_t threads, std::size_t max_jobs, std::size_t max_per_lane);
  ~LanePool();  // stop()
  LanePool(const LanePool&) = delete;
  LanePool& operator=(const LanePool&) = delete;

  // False without queuing when the lane or the pool is full, or after stop().
  bool submit(const std::string& lane, Job job);
  // Runs every queued job, then joins the workers.
  void stop();

 private:
  void run();
  bool next(Job& job);  // blocks; false once stopping and drained

  const std::size_t max_jobs_, max_per_lane_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, std::deque<Job>> lanes_;
  std::deque<std::string> turn_;  // lanes with jobs, each once, next to serve first
  std::size_t queued_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sevu

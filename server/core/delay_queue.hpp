// Runs jobs once their delay has passed, all on one thread of its own: a held
// answer costs a queue entry, never a sleeping thread. Bounded: when max_jobs
// wait, after() refuses and the caller runs the job itself at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace sevu {

class DelayQueue {
 public:
  using Job = std::function<void()>;

  explicit DelayQueue(std::size_t max_jobs);
  ~DelayQueue();  // stop()
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  // Queues job to run `delay` from now. False (job not taken) when full or stopped.
  bool after(std::chrono::milliseconds delay, Job job);
  // Runs every waiting job at once, then joins the thread.
  void stop();

 private:
  using Due = std::pair<std::chrono::steady_clock::time_point, uint64_t>;  // time, then order
  void run();

  const std::size_t max_jobs_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Due, Job> jobs_;
  uint64_t sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sevu

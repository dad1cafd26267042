#include "core/lane_pool.hpp"
#include "core/log.hpp"
#include "core/thread_name.hpp"

#include <exception>
#include <utility>

namespace sevu {

LanePool::LanePool(std::size_t threads, std::size_t max_jobs, std::size_t max_per_lane)
    : max_jobs_(max_jobs), max_per_lane_(max_per_lane) {
  if (threads == 0) threads = 1;
  try {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] {
      name_this_thread("sevu-hash");
      run();
    });
  } catch (...) {  // thread creation failed: wind down the ones already running
    stop();
    throw;
  }
}

LanePool::~LanePool() {
  stop();
}

bool LanePool::submit(const std::string& lane, Job job) {
  if (!job) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queued_ >= max_jobs_) return false;
    std::deque<Job>& jobs = lanes_[lane];
    if (jobs.size() >= max_per_lane_) return false;
    if (jobs.empty()) turn_.push_back(lane);
    jobs.push_back(std::move(job));
    ++queued_;
  }
  wake_.notify_one();
  return true;
}

void LanePool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);  // each thread joined once, whoever calls stop()
  }
  wake_.notify_all();
  for (auto& thread : threads) thread.join();
}

bool LanePool::next(Job& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !turn_.empty(); });
  if (turn_.empty()) return false;  // stopping and drained
  std::string lane = std::move(turn_.front());
  turn_.pop_front();
  auto it = lanes_.find(lane);
  job = std::move(it->second.front());
  it->second.pop_front();
  --queued_;
  if (it->second.empty()) {
    lanes_.erase(it);
  } else {
    turn_.push_back(std::move(lane));  // its next job waits for the other lanes' turn
  }
  return true;
}

void LanePool::run() {
  Job job;
  while (next(job)) {
    // Jobs handle their own errors; this only keeps a stray exception from
    // taking the worker (and the process) down.
    try {
      job();
    } catch (const std::exception& e) {
      log_line(LogLevel::kError, std::string("background job failed: ") + e.what());
    } catch (...) {
      log_line(LogLevel::kError, "background job failed with a non-standard exception");
    }
    job = nullptr;
  }
}

}  // namespace sevu

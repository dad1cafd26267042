#include "core/delay_queue.hpp"
#include "core/log.hpp"
#include "core/thread_name.hpp"

#include <exception>

namespace sevu {

DelayQueue::DelayQueue(std::size_t max_jobs) : max_jobs_(max_jobs), thread_([this] {
        name_this_thread("sevu-delay");
        run();
      }) {}

DelayQueue::~DelayQueue() {
  stop();
}

bool DelayQueue::after(std::chrono::milliseconds delay, Job job) {
  if (!job) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || jobs_.size() >= max_jobs_) return false;
    const auto due = std::chrono::steady_clock::now() + delay;
    jobs_.emplace(Due{due, sequence_++}, std::move(job));
  }
  wake_.notify_one();
  return true;
}

void DelayQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void DelayQueue::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (jobs_.empty()) {
      if (stopping_) return;
      wake_.wait(lock);
      continue;
    }
    auto first = jobs_.begin();
    if (!stopping_ && std::chrono::steady_clock::now() < first->first.first) {
      wake_.wait_until(lock, first->first.first);  // a sooner job or stop() wakes it early
      continue;
    }
    Job job = std::move(first->second);
    jobs_.erase(first);
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      log_line(LogLevel::kError, std::string("delayed job failed: ") + e.what());
    } catch (...) {
      log_line(LogLevel::kError, "delayed job failed with a non-standard exception");
    }
    job = nullptr;
    lock.lock();
  }
}

}  // namespace sevu

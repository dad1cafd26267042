#include "legacy/replay_cache.hpp"

namespace sevu {

bool ReplayCache::remember(std::string_view signature, int64_t now, int64_t window) {
  return remember_until(signature, now, now + window);
}

bool ReplayCache::remember_until(std::string_view signature, int64_t now, int64_t until) {
  std::lock_guard<std::mutex> lock(mutex_);
  // At most one sweep a second keeps the cost per request flat; entries past
  // their end can no longer pass the timestamp check, so forgetting them is safe.
  if (now >= next_prune_) {
    prune(now);
    next_prune_ = now + 1;
  }
  auto [it, inserted] = expiry_.try_emplace(std::string(signature), until);
  if (inserted) return true;
  if (it->second >= now) return false;  // still live: a replay
  it->second = until;                   // an old entry the sweep has not reached yet
  return true;
}

std::size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return expiry_.size();
}

void ReplayCache::prune(int64_t now) {
  for (auto it = expiry_.begin(); it != expiry_.end();) {
    if (it->second < now) {
      it = expiry_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sevu

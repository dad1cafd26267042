#include "usher_service/ticket_memory.hpp"

#include <utility>

namespace sevu::usher_service {

TicketMemory::TicketMemory(std::size_t max_entries, std::chrono::milliseconds window)
    : max_(max_entries == 0 ? 1 : max_entries), window_(window) {}

std::unique_ptr<TicketRead> TicketMemory::fresh(const std::string& key,
                                                const std::string& app) const {
  const uint64_t generation = generation_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return nullptr;
  if (it->second.app != app) return nullptr;
  if (Steady::now() - it->second.read_at >= window_) return nullptr;
  return std::make_unique<TicketRead>(it->second.read);
}

void TicketMemory::remember(const std::string& key, const std::string& app, TicketRead read,
                            uint64_t generation) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Full (many keys refused within a window, e.g. a guesser): start over.
  // Everything here is a second old at most, so nothing of value is lost, and
  // the bound holds without a scan per insert.
  if (entries_.size() >= max_ && entries_.find(key) == entries_.end()) entries_.clear();
  entries_[key] = Entry{app, std::move(read), Steady::now(), generation};
}

void TicketMemory::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key);
}

}  // namespace sevu::usher_service

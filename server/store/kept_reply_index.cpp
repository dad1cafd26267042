#include "store/kept_reply_index.hpp"

#include <algorithm>
#include <functional>
#include <random>

namespace sevu {

namespace {

// splitmix64's finalizer: spreads the combined fields over every bit.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t random_seed() {
  std::random_device device;  // getrandom(2) on Linux
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::vector<int64_t> KeptReplyIndex::Pending::rows_of(uint64_t hash) const {
  std::vector<int64_t> rows;
  for (const Entry& e : added_) {
    if (e.hash == hash) rows.push_back(e.rowid);
  }
  return rows;
}

std::shared_ptr<KeptReplyIndex> KeptReplyIndex::of(const std::string& path, std::size_t capacity) {
  if (path.empty()) return std::make_shared<KeptReplyIndex>(capacity);
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<KeptReplyIndex>> registry;
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& slot = registry[path];
  if (auto existing = slot.lock()) return existing;
  auto made = std::make_shared<KeptReplyIndex>(capacity);
  slot = made;
  return made;
}

KeptReplyIndex::KeptReplyIndex(std::size_t capacity) : capacity_(capacity), seed_(random_seed()) {}

uint64_t KeptReplyIndex::hash(int64_t cdn_id, int64_t signed_at, std::string_view signature) const {
  uint64_t h = mix(seed_ ^ static_cast<uint64_t>(cdn_id));
  h = mix(h ^ static_cast<uint64_t>(signed_at));
  return mix(h ^ std::hash<std::string_view>{}(signature));
}

std::vector<int64_t> KeptReplyIndex::rows_of(int64_t signed_at, uint64_t hash) const {
  std::vector<int64_t> rows;
  std::lock_guard<std::mutex> lock(mutex_);
  auto second = seconds_.find(signed_at);
  if (second == seconds_.end()) return rows;
  auto [first, last] = second->second.rows.equal_range(hash);
  for (auto it = first; it != last; ++it) rows.push_back(it->second);
  return rows;
}

bool KeptReplyIndex::covers(int64_t signed_at) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return signed_at > left_out_through_;
}

void KeptReplyIndex::drop(std::map<int64_t, Second>::iterator second) {
  size_ -= second->second.rows.size();
  seconds_.erase(second);
}

void KeptReplyIndex::leave_out(std::map<int64_t, Second>::iterator second) {
  left_out_through_ = std::max(left_out_through_, second->first);
  drop(second);
}

void KeptReplyIndex::add_locked(const Entry& e) {
  Second& second = seconds_[e.signed_at];
  second.rows.emplace(e.hash, e.rowid);
  ++size_;
  // The oldest second goes: requests are signed at about the present.
  while (size_ > capacity_ && !seconds_.empty()) leave_out(seconds_.begin());
}

void KeptReplyIndex::add(const Entry& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  add_locked(e);
}

void KeptReplyIndex::add(const std::vector<Entry>& entries) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& e : entries) add_locked(e);
}

void KeptReplyIndex::forget_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!seconds_.empty()) leave_out(seconds_.begin());
  left_out_through_ = std::numeric_limits<int64_t>::max();
}

void KeptReplyIndex::forget_before(int64_t bound) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!seconds_.empty() && seconds_.begin()->first < bound) drop(seconds_.begin());
  if (left_out_through_ < bound) left_out_through_ = std::numeric_limits<int64_t>::min();
}

void KeptReplyIndex::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  seconds_.clear();
  size_ = 0;
  left_out_through_ = std::numeric_limits<int64_t>::min();
}

std::size_t KeptReplyIndex::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return size_;
}

}  // namespace sevu

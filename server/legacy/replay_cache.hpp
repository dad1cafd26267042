// Signatures accepted within the timestamp window; a second use is a replay.
// Thread-safe: store workers check and insert atomically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sevu {

class ReplayCache {
 public:
  // Records signature as seen until now + window. Returns false if it was
  // already recorded and still live (a replay). Expired entries are pruned.
  bool remember(std::string_view signature, int64_t now, int64_t window);

  // Same with an explicit end: a request stays acceptable until its own
  // timestamp + window, which for a timestamp ahead of the clock is later than
  // now + window. An entry is live while now <= until.
  bool remember_until(std::string_view signature, int64_t now, int64_t until);

  std::size_t size() const;

 private:
  void prune(int64_t now);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> expiry_;
  int64_t next_prune_ = 0;
};

}  // namespace sevu

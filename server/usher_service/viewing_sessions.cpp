#include "usher_service/viewing_sessions.hpp"

#include <algorithm>
#include <vector>

namespace sevu::usher_service {

ViewingSessions::ViewingSessions(int64_t idle_seconds, std::size_t max_sessions)
    : idle_(idle_seconds), max_(std::max<std::size_t>(max_sessions, 1)) {}

std::string ViewingSessions::id_of(const SessionKey& s) {
  // Each part is length-prefixed, so distinct sessions never share an id.
  std::string id;
  for (const std::string* part : {&s.key, &s.pass, &s.ip, &s.app, &s.video}) {
    id += std::to_string(part->size());
    id += ':';
    id += *part;
  }
  return id;
}

bool ViewingSessions::live(const SessionKey& s, int64_t now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = last_seen_.find(id_of(s));
  return it != last_seen_.end() && now - it->second <= idle_;
}

void ViewingSessions::touch(const SessionKey& s, int64_t now) {
  std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = last_seen_.find(id);
  if (it != last_seen_.end()) {
    it->second = std::max(it->second, now);
    return;
  }
  if (last_seen_.size() >= max_) make_room(now);
  last_seen_.emplace(std::move(id), now);
}

void ViewingSessions::end(const SessionKey& s) {
  std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  last_seen_.erase(id);
}

std::size_t ViewingSessions::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_seen_.size();
}

void ViewingSessions::make_room(int64_t now) {
  // Idle sessions are useless: drop them all.
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    it = now - it->second > idle_ ? last_seen_.erase(it) : std::next(it);
  }
  if (last_seen_.size() < max_) return;
  // Still full of live sessions: drop the least recently seen eighth, so this
  // scan is paid once per many inserts. An evicted viewer's next request is
  // simply a start again.
  std::vector<int64_t> times;
  times.reserve(last_seen_.size());
  for (const auto& entry : last_seen_) times.push_back(entry.second);
  const std::size_t drop = std::max<std::size_t>(1, times.size() / 8);
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   times.end());
  const int64_t cutoff = times[drop - 1];
  std::size_t dropped = 0;
  for (auto it = last_seen_.begin(); it != last_seen_.end() && dropped < drop;) {
    if (it->second <= cutoff) {
      it = last_seen_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

}  // namespace sevu::usher_service

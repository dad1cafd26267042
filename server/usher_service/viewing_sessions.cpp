#include "usher_service/viewing_sessions.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "auth/crypto.hpp"

namespace sevu::usher_service {

namespace {

// The stored last_seen is all that other instances and the viewer limit judge
// a session's idleness by, so it may trail the viewer's last request by no
// more than this. One second: the grain of every stored time. Half an idle
// window, as it was, let a viewer who paused longer than that (but less than
// the window) look lapsed: another instance started the viewing again, and a
// full ticket let a second viewer in. The cost is one write of a playing
// session at most each second, on the store path its facts are read on then
// anyway (docs/sessions.md).
constexpr int64_t kStoredSeenLag = 1;

}  // namespace

ViewingSessions::ViewingSessions(int64_t idle_seconds, std::size_t max_sessions,
                                 std::chrono::milliseconds facts_window)
    : idle_(idle_seconds), max_(std::max<std::size_t>(max_sessions, 1)), facts_window_(facts_window) {}

void ViewingSessions::id_of(const SessionKey& s, std::string& out) {
  // Each part is length-prefixed, so distinct sessions never share an id.
  out.clear();
  for (std::string_view part : {s.key, s.pass, s.ip, s.app, s.video}) {
    char length[24];
    const auto end = std::to_chars(length, length + sizeof length, part.size()).ptr;
    out.append(length, end);
    out += ':';
    out += part;
  }
}

std::string ViewingSessions::id_of(const SessionKey& s) {
  std::string id;
  id_of(s, id);
  return id;
}

std::string ViewingSessions::digest(const SessionKey& s, const std::string& connection) {
  std::string id = id_of(s);
  if (!connection.empty()) {
    id += std::to_string(connection.size());
    id += ':';
    id += connection;
  }
  return hex_encode(sha256(id));
}

bool ViewingSessions::due_in_store(const SessionKey& s, int64_t now) {
  const std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || now - it->second.stored_seen < kStoredSeenLag) return false;
  it->second.stored_seen = now;
  return true;
}

bool ViewingSessions::live(const SessionKey& s, int64_t now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id_of(s));
  return it != sessions_.end() && now - it->second.last_seen <= idle_;
}

void ViewingSessions::touch(const SessionKey& s, int64_t now) {
  std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) {
    // A session that had gone idle is opened again by a start, which has just
    // spent a use: what its previous life remembered (uses left, above all)
    // must not answer its next requests.
    if (now - it->second.last_seen > idle_) it->second.facts.reset();
    it->second.last_seen = std::max(it->second.last_seen, now);
    return;
  }
  if (sessions_.size() >= max_) make_room(now);
  Entry entry;
  entry.last_seen = now;
  entry.stored_seen = now;  // whoever opens a session stores it (playback.cpp)
  sessions_.emplace(std::move(id), std::move(entry));
}

void ViewingSessions::end(const SessionKey& s) {
  std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(id);
}

void ViewingSessions::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.clear();
}

std::size_t ViewingSessions::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

ViewingSessions::Entry* ViewingSessions::fresh_entry(const std::string& id, int64_t now) {
  const uint64_t generation = generation_.load(std::memory_order_relaxed);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || now - it->second.last_seen > idle_) return nullptr;
  Entry& e = it->second;
  if (!e.facts || e.facts_generation != generation) return nullptr;
  if (Steady::now() - e.facts_read >= facts_window_) return nullptr;
  // Ticket time may run ahead of the wall clock (the test clock): the store
  // path, which writes last_seen, is then due before the facts go stale.
  if (now - e.stored_seen >= kStoredSeenLag) return nullptr;
  return &e;
}

std::optional<RecheckFacts> ViewingSessions::fresh_facts(const SessionKey& s, int64_t now) {
  const std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  const Entry* e = fresh_entry(id, now);
  if (!e) return std::nullopt;
  return e->facts;
}

std::optional<UsherDecision> ViewingSessions::allowed_from_memory(
    const SessionKey& s, int64_t now,
    const std::function<UsherDecision(const RecheckFacts&)>& rule) {
  thread_local std::string id;  // every in-session request's: its capacity stays
  id_of(s, id);
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = fresh_entry(id, now);
  if (!e) return std::nullopt;
  UsherDecision d = rule(*e->facts);
  if (!d.allowed) return std::nullopt;
  e->last_seen = std::max(e->last_seen, now);  // live: touch() without its lookup
  return d;
}

void ViewingSessions::remember(const SessionKey& s, RecheckFacts facts, uint64_t generation) {
  const std::string id = id_of(s);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;  // ended meanwhile: nothing to remember for
  it->second.facts = std::move(facts);
  it->second.facts_read = Steady::now();
  it->second.facts_generation = generation;
}

void ViewingSessions::make_room(int64_t now) {
  // Idle sessions are useless: drop them all.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.last_seen > idle_ ? sessions_.erase(it) : std::next(it);
  }
  if (sessions_.size() < max_) return;
  // Still full of live sessions: drop the least recently seen eighth, so this
  // scan is paid once per many inserts. An evicted viewer's next request is
  // simply a start again.
  std::vector<int64_t> times;
  times.reserve(sessions_.size());
  for (const auto& entry : sessions_) times.push_back(entry.second.last_seen);
  const std::size_t drop = std::max<std::size_t>(1, times.size() / 8);
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   times.end());
  const int64_t cutoff = times[drop - 1];
  std::size_t dropped = 0;
  for (auto it = sessions_.begin(); it != sessions_.end() && dropped < drop;) {
    if (it->second.last_seen <= cutoff) {
      it = sessions_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

}  // namespace sevu::usher_service

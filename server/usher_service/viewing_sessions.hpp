// The viewing-session table (docs/hooks.md): over HTTP streaming a viewer is
// a series of requests, and a viewing session is (key, pass, client ip, app,
// video); while it has seen a request within the idle window, its later
// requests are not starts. Times are ticket time (the
// test clock moves them). Thread-safe; bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sevu::usher_service {

struct SessionKey {
  std::string key, pass, ip, app, video;
};

class ViewingSessions {
 public:
  ViewingSessions(int64_t idle_seconds, std::size_t max_sessions = 100000);

  // True when the session saw a request at most idle seconds before now.
  bool live(const SessionKey& s, int64_t now) const;
  // Records a request of the session at now (starting it if new).
  void touch(const SessionKey& s, int64_t now);
  // Forgets the session (its ticket was revoked or expired).
  void end(const SessionKey& s);
  std::size_t size() const;

 private:
  static std::string id_of(const SessionKey& s);
  void make_room(int64_t now);  // caller holds mutex_

  const int64_t idle_;
  const std::size_t max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> last_seen_;
};

}  // namespace sevu::usher_service

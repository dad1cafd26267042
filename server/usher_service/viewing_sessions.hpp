// The viewing-session table (docs/hooks.md): over HTTP streaming a viewer is
// a series of requests, and a viewing session is (key, pass, client ip, app,
// video); while it has seen a request within the idle window, its later
// requests are not starts. Times are ticket time (the
// test clock moves them). Thread-safe; bounded.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/records.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::usher_service {

// Views of the request it was made from (session_of), and lives no longer than
// it: copied into five strings, it cost each in-session request a copy of the
// request's credentials and path (docs/performance.md, "The session's key
// read in place").
struct SessionKey {
  std::string_view key, pass, ip, app, video;
};

// What a re-check reads from the store (playback.hpp): remembered with a live
// session for a moment, so that its next requests are answered from memory,
// without a store read or a thread hop (docs/performance.md).
struct RecheckFacts {
  Ticket ticket;
  bool account_active = true;
  bool app_owned_elsewhere = false;
};

class ViewingSessions {
 public:
  // Facts are remembered for facts_window: a change made elsewhere (an admin
  // subcommand, another instance) reaches a playing session within it; changes
  // made through this process's APIs call forget_facts() and reach it at once.
  ViewingSessions(int64_t idle_seconds, std::size_t max_sessions = 100000,
                  std::chrono::milliseconds facts_window = std::chrono::milliseconds(1000));

  // True when the session saw a request at most idle seconds before now.
  bool live(const SessionKey& s, int64_t now) const;
  // Records a request of the session at now (starting it if new).
  void touch(const SessionKey& s, int64_t now);
  // True at most once a second of a live session (counted from its last
  // write): time to write its last_seen to the store, where other instances
  // and the viewer limit look for it (playback.cpp).
  bool due_in_store(const SessionKey& s, int64_t now);
  // Forgets the session (its ticket was revoked or expired).
  void end(const SessionKey& s);
  // Forgets every session (POST /test/reset).
  void clear();
  std::size_t size() const;
  int64_t idle() const { return idle_; }
  // The session's name in the store: hex SHA-256 of its parts, so no
  // credential is stored. A connection-based session adds the media server's
  // name of the connection (playback.hpp, connection_session).
  static std::string digest(const SessionKey& s, const std::string& connection = {});

  // The facts remembered for a session live at now, when read within the facts
  // window and not forgotten since, and its stored last_seen is not due;
  // nullopt otherwise.
  std::optional<RecheckFacts> fresh_facts(const SessionKey& s, int64_t now);
  // fresh_facts() and, when `rule` allows the request on them, touch(), in one
  // lookup and without a copy of the facts: the decision of an in-session
  // request answered from memory, or nullopt (no fresh facts, or a refusal,
  // which the store path decides again and ends the session with).
  std::optional<UsherDecision> allowed_from_memory(
      const SessionKey& s, int64_t now,
      const std::function<UsherDecision(const RecheckFacts&)>& rule);
  // Remembers what a re-check of a live session read, given the generation()
  // taken before the read began: facts read across a forget_facts() stay stale.
  void remember(const SessionKey& s, RecheckFacts facts, uint64_t generation);
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  // Every remembered fact goes stale at once: tickets or accounts changed.
  void forget_facts() { generation_.fetch_add(1, std::memory_order_relaxed); }

 private:
  using Steady = std::chrono::steady_clock;
  struct Entry {
    int64_t last_seen = 0;    // ticket time
    int64_t stored_seen = 0;  // the last_seen last written to the store
    std::optional<RecheckFacts> facts;
    Steady::time_point facts_read;
    uint64_t facts_generation = 0;
  };
  // The session's key in the table, written into `out` (cleared first), so
  // that a lookup reuses its thread's buffer.
  static void id_of(const SessionKey& s, std::string& out);
  static std::string id_of(const SessionKey& s);
  // The session's entry when its facts are fresh (fresh_facts()), else null;
  // caller holds mutex_.
  Entry* fresh_entry(const std::string& id, int64_t now);
  void make_room(int64_t now);  // caller holds mutex_

  const int64_t idle_;
  const std::size_t max_;
  const std::chrono::milliseconds facts_window_;
  std::atomic<uint64_t> generation_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace sevu::usher_service

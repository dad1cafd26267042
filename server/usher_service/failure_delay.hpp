// How long a failed publish waits for its answer, so that guessing a stream
// user's password costs the guesser time, not the server. MediaMTX pauses up to
// 4 s after every authentication error (bluenviron/mediamtx,
// internal/auth/delay_brute_force.go: DelayBruteForce, maxPause = 4 s); here the
// pause grows with the recent failures of the same key instead, so a broadcaster's
// one typo costs 0.1 s and a guesser soon pays the full 4 s. Scores decay with
// time, so a key's delay falls back on its own. Only failures are ever held:
// a right password is answered at once whatever others did.
// Keys are the client address and the stream user (app + user); the delay is
// the larger of the two, so one address's failures do not slow another's.
// Thread-safe, bounded in memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sevu::usher_service {

class FailureDelay {
 public:
  using Time = std::chrono::steady_clock::time_point;
  struct Policy {
    std::chrono::milliseconds first{100};  // the delay of a key's first failure
    std::chrono::milliseconds max{4000};   // never more (MediaMTX's maxPause)
    double half_life_seconds = 30;         // a score halves in this time
    std::size_t max_keys = 10000;
  };

  FailureDelay() : FailureDelay(Policy{}) {}
  explicit FailureDelay(Policy policy);

  // Records one failure for every key at `now`; returns how long to hold its answer.
  std::chrono::milliseconds fail(const std::vector<std::string>& keys, Time now);
  std::size_t keys() const;

 private:
  struct Score {
    double value = 0;
    Time at;
  };
  double decayed(const Score& s, Time now) const;
  std::chrono::milliseconds delay_of(double score) const;
  void make_room(Time now);  // caller holds mutex_

  const Policy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Score> scores_;
};

// The keys of one publish: its address, and the stream user when one was named.
std::vector<std::string> failure_keys(const std::string& ip, const std::string& app,
                                      const std::string* user);

}  // namespace sevu::usher_service

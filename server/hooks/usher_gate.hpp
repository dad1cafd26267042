// The usher against the store: one playback start, decided and recorded
// atomically, and the cheaper re-check for a session that already started.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"
#include "usher/decision.hpp"

namespace sevu::hooks {

// One viewer's request as every adapter hands it over (docs/hooks.md).
struct PlayAttempt {
  std::string key, pass, ip, app, video;
  std::string appinst, pageurl, refurl;

  usher::PlayRequest play() const { return {key, pass, ip, app, video}; }
};

struct GateResult {
  bool allowed = false;
  std::string reason;  // exactly as logged ("Success", "Token Revoked", ...)
  // The ticket's uses after this call; only when allowed, so that a wrong pass
  // learns nothing about the ticket.
  std::optional<int64_t> uses_left;
};

// A start: inside one store transaction loads the ticket, decides, spends a use
// and stores any auto binding on success, and inserts the attempt row (granted or
// not). Committed before this returns, so N concurrent starts on k uses grant
// exactly min(N, k). `server` is logged as the attempt's server.
GateResult start_playback(Store& store, const PlayAttempt& attempt, int64_t now,
                          const std::string& server);

// A running session's re-check (nginx-rtmp on_update, HTTP segments): the same
// checks minus uses and binding; spends nothing and logs no attempt row.
GateResult recheck_playback(Store& store, const PlayAttempt& attempt, int64_t now);

}  // namespace sevu::hooks

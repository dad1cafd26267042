#include "hooks/session_gate.hpp"

namespace sevu::hooks {

namespace {

SessionKey session_of(const PlayAttempt& a) {
  return {a.key, a.pass, a.ip, a.app, a.video};
}

GateResult continue_session(Store& store, HttpSessions& sessions, const SessionKey& session,
                            const PlayAttempt& attempt, int64_t now) {
  GateResult r = recheck_playback(store, attempt, now);
  if (r.allowed) {
    sessions.touch(session, now);
  } else {
    sessions.end(session);
  }
  return r;
}

}  // namespace

GateResult view_in_session(Store& store, HttpSessions& sessions, const PlayAttempt& attempt,
                           int64_t now, const std::string& server) {
  const SessionKey session = session_of(attempt);
  if (sessions.live(session, now)) return continue_session(store, sessions, session, attempt, now);

  // Not live: a start. A player often asks for the playlist and a segment at
  // once; the store's write transaction serializes those, and the second one
  // sees the session the first just opened instead of spending a second use.
  GateResult r;
  bool opened = false;
  try {
    store.transaction([&] {
      if (sessions.live(session, now)) {
        r = continue_session(store, sessions, session, attempt, now);
        return;
      }
      r = start_playback(store, attempt, now, server);  // joins this transaction
      if (r.allowed) {
        sessions.touch(session, now);
        opened = true;
      }
    });
  } catch (...) {
    if (opened) sessions.end(session);  // the start never committed
    throw;
  }
  return r;
}

}  // namespace sevu::hooks

#include "usher_service/playback.hpp"

#include <optional>

#include "usher/decision.hpp"
#include "usher_service/app_owner.hpp"
#include "usher_service/attempt_log.hpp"

namespace sevu::usher_service {

namespace {

// What the usher needs beyond the viewer's request, read fresh on every call:
// the admin subcommands change accounts behind the running server's back, and
// their effect must show within seconds (docs/operations.md, Accounts).
usher::PlayRequest play_request(Store& store, const UsherRequest& req, const Ticket* ticket) {
  usher::PlayRequest play{req.credentials.key.value_or(""), req.credentials.pass.value_or(""),
                          req.client_ip, req.app, req.video};
  if (ticket) {
    auto owner = app_owner(store, req.app);
    play.app_owned_elsewhere = owner && *owner != ticket->cdn_id;
    const std::optional<Account> account = store.account(ticket->cdn_id);
    play.account_active = account && account->active;
  }
  return play;
}

std::optional<Ticket> ticket_of(Store& store, const UsherRequest& req) {
  return store.ticket_by_key(req.credentials.key.value_or(""));
}

SessionKey session_of(const UsherRequest& r) {
  return {r.credentials.key.value_or(""), r.credentials.pass.value_or(""), r.client_ip, r.app,
          r.video};
}

UsherDecision continue_session(Store& store, ViewingSessions& sessions, const SessionKey& session,
                               const UsherRequest& req, int64_t now) {
  UsherDecision d = recheck_playback(store, req, now);
  if (d.allowed) {
    sessions.touch(session, now);
  } else {
    sessions.end(session);
  }
  return d;
}

}  // namespace

UsherDecision start_playback(Store& store, const UsherRequest& req, int64_t now,
                             const std::string& server) {
  UsherDecision result;
  store.transaction([&] {
    std::optional<Ticket> ticket = ticket_of(store, req);
    const Ticket* t = ticket ? &*ticket : nullptr;
    const usher::Decision d = usher::decide(t, play_request(store, req, t), now);
    result.allowed = d.granted();
    result.reason = usher::reason_text(d.reason);
    if (ticket && d.granted()) {
      ticket->uses -= 1;
      ticket->used = now;
      ticket->ip = d.ip_after;
      if (!store.update_ticket(*ticket)) throw StoreError("ticket vanished during a start");
      result.uses_left = ticket->uses;
    }
    log_attempt(store, req, ticket ? ticket->cdn_id : 0, result.allowed, result.reason, now,
                server);
  });
  return result;
}

UsherDecision recheck_playback(Store& store, const UsherRequest& req, int64_t now) {
  UsherDecision result;
  std::optional<Ticket> ticket = ticket_of(store, req);
  const usher::Reason r = ticket ? usher::recheck(*ticket, play_request(store, req, &*ticket), now)
                                 : usher::Reason::kInvalidAuthToken;
  result.allowed = r == usher::Reason::kSuccess;
  result.reason = usher::reason_text(r);
  if (result.allowed) result.uses_left = ticket->uses;
  return result;
}

UsherDecision view_in_session(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                              int64_t now, const std::string& server, UndoSteps& undo) {
  const SessionKey session = session_of(req);
  if (sessions.live(session, now)) return continue_session(store, sessions, session, req, now);

  // Not live: a start. A player often asks for the playlist and a segment at
  // once; the store's write transaction serializes those, and the second one
  // sees the session the first just opened instead of spending a second use.
  UsherDecision d;
  bool opened = false;
  try {
    store.transaction([&] {
      if (sessions.live(session, now)) {
        d = continue_session(store, sessions, session, req, now);
        return;
      }
      d = start_playback(store, req, now, server);  // joins this transaction
      if (d.allowed) {
        sessions.touch(session, now);
        opened = true;
      }
    });
  } catch (...) {
    if (opened) sessions.end(session);  // the start never committed
    throw;
  }
  if (opened) undo.push_back([&sessions, session] { sessions.end(session); });
  return d;
}

bool in_live_session(const ViewingSessions& sessions, const UsherRequest& req, int64_t now) {
  return sessions.live(session_of(req), now);
}

UsherDecision end_viewing(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                          int64_t now) {
  sessions.end(session_of(req));
  return recheck_playback(store, req, now);
}

}  // namespace sevu::usher_service

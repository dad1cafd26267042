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
RecheckFacts facts_of(Store& store, const UsherRequest& req, Ticket ticket) {
  RecheckFacts f;
  auto owner = app_owner(store, req.app);
  f.app_owned_elsewhere = owner && *owner != ticket.cdn_id;
  const std::optional<Account> account = store.account(ticket.cdn_id);
  f.account_active = account && account->active;
  f.ticket = std::move(ticket);
  return f;
}

usher::PlayRequest play_request(const UsherRequest& req, const RecheckFacts* facts) {
  usher::PlayRequest play{req.credentials.key.value_or(""), req.credentials.pass.value_or(""),
                          req.client_ip, req.app, req.video};
  if (facts) {
    play.app_owned_elsewhere = facts->app_owned_elsewhere;
    play.account_active = facts->account_active;
  }
  return play;
}

// The re-check's ruling on what was read (now, or a moment ago).
UsherDecision rule_recheck(const RecheckFacts* facts, const UsherRequest& req, int64_t now) {
  UsherDecision result;
  const usher::Reason r = facts ? usher::recheck(facts->ticket, play_request(req, facts), now)
                                : usher::Reason::kInvalidAuthToken;
  result.allowed = r == usher::Reason::kSuccess;
  result.reason = usher::reason_text(r);
  if (facts) result.cdn_id = facts->ticket.cdn_id;
  if (result.allowed) {
    result.uses_left = facts->ticket.uses;
    result.expires = facts->ticket.expires;
  }
  return result;
}

std::optional<Ticket> ticket_of(Store& store, const UsherRequest& req) {
  return store.ticket_by_key(req.credentials.key.value_or(""));
}

SessionKey session_of(const UsherRequest& r) {
  return {r.credentials.key.value_or(""), r.credentials.pass.value_or(""), r.client_ip, r.app,
          r.video};
}

// Ended here and in the store, so that no instance takes it over: the
// viewer's next request is a start everywhere.
// The stored copy's writes run in a transaction: on the read path that queues
// them behind the store's writer (joined, inside a start's own transaction)
// instead of leaving them to wait in SQLite's busy handler.
void end_session(Store& store, ViewingSessions& sessions, const SessionKey& session) {
  sessions.end(session);
  store.transaction([&] { store.delete_viewing_session(ViewingSessions::digest(session)); });
}

// A live session's request after its re-check: kept alive, or ended. The
// store's copy is refreshed often enough that it never looks idle to another
// instance.
UsherDecision settle_session(Store& store, ViewingSessions& sessions, const SessionKey& session,
                             UsherDecision d, int64_t now) {
  if (!d.allowed) {
    end_session(store, sessions, session);
    return d;
  }
  sessions.touch(session, now);
  if (sessions.due_in_store(session, now)) {
    store.transaction(
        [&] { store.save_viewing_session(ViewingSessions::digest(session), d.cdn_id, now); });
  }
  return d;
}

UsherDecision continue_session(Store& store, ViewingSessions& sessions, const SessionKey& session,
                               const UsherRequest& req, int64_t now) {
  const uint64_t generation = sessions.generation();  // before the read (remember())
  std::optional<Ticket> ticket = ticket_of(store, req);
  if (!ticket) return settle_session(store, sessions, session, rule_recheck(nullptr, req, now), now);
  RecheckFacts facts = facts_of(store, req, std::move(*ticket));
  UsherDecision d = rule_recheck(&facts, req, now);
  sessions.remember(session, std::move(facts), generation);
  return settle_session(store, sessions, session, std::move(d), now);
}

// A session that another instance (or this one before a restart) opened and
// kept alive in the store: taken over, so that this request continues it
// instead of starting again and spending a use.
bool adopt_stored(Store& store, ViewingSessions& sessions, const SessionKey& session,
                  int64_t now) {
  const auto seen = store.viewing_session_seen(ViewingSessions::digest(session));
  if (!seen || now - *seen > sessions.idle()) return false;
  sessions.touch(session, *seen);
  return true;
}

// Sessions idle for this many idle windows are deleted from the store, a few
// per opened session: long enough that no instance still takes them over.
constexpr int64_t kForgetIdleWindows = 2;
constexpr int64_t kForgetPerOpen = 8;

void store_opened(Store& store, const SessionKey& session, int64_t cdn_id, int64_t idle,
                  int64_t now) {
  store.save_viewing_session(ViewingSessions::digest(session), cdn_id, now);
  store.delete_idle_viewing_sessions(now - kForgetIdleWindows * idle, kForgetPerOpen);
}

}  // namespace

UsherDecision start_playback(Store& store, const UsherRequest& req, int64_t now,
                             const std::string& server, IfRolledBack* if_rolled_back) {
  UsherDecision result;
  store.transaction([&] {
    std::optional<Ticket> ticket = ticket_of(store, req);
    std::optional<RecheckFacts> facts;
    if (ticket) facts = facts_of(store, req, *ticket);
    const usher::Decision d =
        usher::decide(ticket ? &*ticket : nullptr, play_request(req, facts ? &*facts : nullptr), now);
    result.allowed = d.granted();
    result.reason = usher::reason_text(d.reason);
    if (ticket) result.cdn_id = ticket->cdn_id;
    if (ticket && d.granted()) {
      ticket->uses -= 1;
      ticket->used = now;
      ticket->ip = d.ip_after;
      if (!store.update_ticket(*ticket)) throw StoreError("ticket vanished during a start");
      result.uses_left = ticket->uses;
      result.expires = ticket->expires;
    }
    Attempt row = attempt_row(req, ticket ? ticket->cdn_id : 0, result.allowed, result.reason, now,
                              server);
    store.insert_attempt(row);
    if (if_rolled_back && !result.allowed) if_rolled_back->owed_rows.push_back(std::move(row));
  });
  return result;
}

UsherDecision recheck_playback(Store& store, const UsherRequest& req, int64_t now) {
  std::optional<Ticket> ticket = ticket_of(store, req);
  if (!ticket) return rule_recheck(nullptr, req, now);
  const RecheckFacts facts = facts_of(store, req, std::move(*ticket));
  return rule_recheck(&facts, req, now);
}

std::optional<UsherDecision> view_from_memory(ViewingSessions& sessions, const UsherRequest& req,
                                              int64_t now) {
  const SessionKey session = session_of(req);
  std::optional<RecheckFacts> facts = sessions.fresh_facts(session, now);
  if (!facts) return std::nullopt;
  UsherDecision d = rule_recheck(&*facts, req, now);
  // A refusal ends the session, in the store too: left to the store path,
  // which also reads the facts afresh.
  if (!d.allowed) return std::nullopt;
  sessions.touch(session, now);
  return d;
}

UsherDecision view_in_session(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                              int64_t now, const std::string& server,
                              IfRolledBack& if_rolled_back) {
  const SessionKey session = session_of(req);
  if (sessions.live(session, now)) return continue_session(store, sessions, session, req, now);

  // Not live here: a start, unless the store knows the session. A player
  // often asks for the playlist and a segment at once; the store's write
  // transaction serializes those, and the second one sees the session the
  // first just opened instead of spending a second use.
  UsherDecision d;
  bool opened = false;
  try {
    store.transaction([&] {
      if (sessions.live(session, now) || adopt_stored(store, sessions, session, now)) {
        d = continue_session(store, sessions, session, req, now);
        return;
      }
      d = start_playback(store, req, now, server, &if_rolled_back);  // joins this transaction
      if (d.allowed) {
        sessions.touch(session, now);
        store_opened(store, session, d.cdn_id, sessions.idle(), now);
        opened = true;
      }
    });
  } catch (...) {
    if (opened) sessions.end(session);  // the start never committed
    throw;
  }
  if (opened) if_rolled_back.undo.push_back([&sessions, session] { sessions.end(session); });
  return d;
}

bool in_live_session(const ViewingSessions& sessions, const UsherRequest& req, int64_t now) {
  return sessions.live(session_of(req), now);
}

UsherDecision end_viewing(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                          int64_t now) {
  end_session(store, sessions, session_of(req));
  return recheck_playback(store, req, now);
}

}  // namespace sevu::usher_service

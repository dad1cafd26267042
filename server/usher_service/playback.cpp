#include "usher_service/playback.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "auth/crypto.hpp"
#include "core/utf8.hpp"

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

std::string_view or_empty(const std::optional<std::string>& v) {
  return v ? std::string_view(*v) : std::string_view();
}

// The viewer the request names, as views of r: lives no longer than it
// (SessionKey). The rules read the same five fields (play_request).
SessionKey session_of(const UsherRequest& r) {
  return {or_empty(r.credentials.key), or_empty(r.credentials.pass), r.client_ip, r.app, r.video};
}

// Views of req, as session_of's: lives no longer than it (usher::PlayRequest).
usher::PlayRequest play_request(const UsherRequest& req, const RecheckFacts* facts) {
  const SessionKey viewer = session_of(req);
  usher::PlayRequest play{viewer.key, viewer.pass, viewer.ip, viewer.app, viewer.video};
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

UsherDecision session_ended(int64_t cdn_id) {
  UsherDecision d;
  d.reason = usher::reason_text(usher::Reason::kSessionEnded);
  d.cdn_id = cdn_id;
  return d;
}

// The answer to a contact of a session that is over (ended or lapsed), given
// the ticket's own re-check `d`: the ticket's refusal when it refuses (a
// revoke ends the ticket's sessions too, and its viewers hear `Token
// Revoked`), else `Session Ended` (docs/sessions.md).
UsherDecision session_over(UsherDecision d) {
  return d.allowed ? session_ended(d.cdn_id) : d;
}

// Over here and in the store (a re-check refused it, its viewer left), so
// that no instance takes it over: the viewer's next request is a start
// everywhere. The stored copy's writes run in a transaction: on the read path
// that queues them behind the store's writer (joined, inside a start's own
// transaction) instead of leaving them to wait in SQLite's busy handler.
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
    store.transaction([&] { store.touch_viewing_session(ViewingSessions::digest(session), now); });
  }
  return d;
}

// A live session's request read from the store: the ticket re-checked, and the
// session itself, which may have been ended elsewhere (the API, a bump, another
// instance) since this instance last looked. nullopt when its row is gone from
// the store (a /test/reset on any instance, or a purge): it is forgotten here
// too, and the request is a start.
std::optional<UsherDecision> continue_session(Store& store, ViewingSessions& sessions,
                                              const SessionKey& session, const UsherRequest& req,
                                              int64_t now) {
  const uint64_t generation = sessions.generation();  // before the read (remember())
  std::optional<Ticket> ticket = ticket_of(store, req);
  if (!ticket) return settle_session(store, sessions, session, rule_recheck(nullptr, req, now), now);
  const auto stored = store.viewing_session(ViewingSessions::digest(session));
  if (!stored) {
    sessions.end(session);
    return std::nullopt;
  }
  RecheckFacts facts = facts_of(store, req, std::move(*ticket));
  UsherDecision d = rule_recheck(&facts, req, now);
  if (stored->ended) {  // kept ended (not deleted): its viewer's next request is refused too
    sessions.end(session);
    return session_over(std::move(d));
  }
  sessions.remember(session, std::move(facts), generation);
  return settle_session(store, sessions, session, std::move(d), now);
}

// What the store knows of a session this instance does not hold live.
enum class Stored { kUnknown, kLive, kEnded };

Stored stored_state(Store& store, const std::string& id, int64_t now) {
  const auto row = store.viewing_session(id);
  if (!row) return Stored::kUnknown;
  // An ended session is refused for a whole window after its end, which
  // covers one window after its viewer's last request (the stored last_seen
  // trails it by at most a second: ViewingSessions::due_in_store).
  const int64_t seen = std::max(row->last_seen, row->ended);
  if (now > seen + row->lapse) return Stored::kUnknown;
  return row->ended ? Stored::kEnded : Stored::kLive;
}

// Sessions are deleted from the store once their lapse has run out twice
// over (ended ones too: until then their viewer's next contact is denied), a
// few per opened session, so the table stays as small as its live sessions.
constexpr int64_t kForgetPerOpen = 8;

// opened_by: the id of the start's attempt row. It orders the sessions of one
// second (started is whole seconds, and the test clock may hold still) among
// themselves and among those kept in their attempt rows, which are ordered by
// that row's id (store/kept_sessions.hpp): the oldest is the one a start made
// first, however its session is kept.
ViewingSession session_row(const UsherRequest& req, const SessionPlan& plan, int64_t cdn_id,
                           int64_t now, int64_t opened_by) {
  ViewingSession s;
  s.id = plan.id;
  s.cdn_id = cdn_id;
  s.key = req.credentials.key.value_or("");
  s.ip = req.client_ip;
  s.app = req.app;
  s.video = req.video;
  s.media_server = req.media_server;
  s.protocol = req.protocol;
  s.client_ref = req.session_id;
  s.started = s.last_seen = now;
  s.lapse = plan.lapse;
  s.opened = opened_by;
  // What the viewer sent, stored as the attempt row stores it (attempt_log.hpp).
  for (std::string* field : {&s.ip, &s.app, &s.video, &s.protocol, &s.client_ref})
    make_storable_text(*field, kMaxLoggedField);
  return s;
}

// A session nothing will name again, kept in its start's attempt row instead
// of a row of its own: one row per such start, not two (docs/sessions.md,
// "Sessions without a name").
void keep_session(Attempt& row, const UsherRequest& req, const SessionPlan& plan) {
  row.session_lapse = plan.lapse;
  row.media_server = req.media_server;
  row.protocol = req.protocol;
}

// The viewer limit (docs/sessions.md), inside the start's transaction, which
// holds the ticket (SQLite's one writer; PostgreSQL's row lock): N starts at
// once on a ticket with limit m open at most m sessions. Sessions bumped for
// this one are ended here and handed back in `bumped`.
usher::Reason apply_limit(Store& store, const Ticket& ticket, const SessionPlan& plan,
                          int64_t now, std::vector<ViewingSession>& bumped) {
  if (ticket.max_viewers <= 0) return usher::Reason::kSuccess;
  std::vector<ViewingSession> live = store.live_viewing_sessions(ticket.cdn_id, ticket.key, now);
  live.erase(std::remove_if(live.begin(), live.end(),
                            [&](const ViewingSession& s) { return s.id == plan.id; }),
             live.end());
  const usher::LimitRuling ruling = usher::rule_limit(ticket, live.size());
  if (ruling.refused) return usher::Reason::kTooManyViewers;
  for (std::size_t i = 0; i < ruling.end_oldest && i < live.size(); ++i) {
    if (store.end_viewing_session(live[i].id, now, kBumpedReason)) bumped.push_back(live[i]);
  }
  return usher::Reason::kSuccess;
}

// What a refused start read, remembered once its transaction is over. Inside
// a group commit the batch may still be rolled back, and with it what the
// read saw of the batch's earlier writes (a binding, a spent use): then the
// memory is forgotten with the rest.
void remember_refusal(TicketMemory& refusals, const UsherRequest& req, TicketRead read,
                      uint64_t generation, IfRolledBack* if_rolled_back) {
  refusals.remember(req.credentials.key.value_or(""), req.app, std::move(read), generation);
  if (if_rolled_back) if_rolled_back->undo.push_back([&refusals] { refusals.forget(); });
}

}  // namespace

const char* const kBumpedReason = "bumped by a newer viewer (when_full end_oldest)";
const char* const kViewerLeftReason = "its viewer left (action end)";

SessionPlan connection_session(const UsherRequest& req, int64_t ttl) {
  SessionPlan plan;
  plan.lapse = ttl;
  // Without the media server's id of the connection, nothing later can name
  // this session: it ends by its TTL or through the API, and its start's
  // attempt row keeps it (the id stays empty).
  if (!req.session_id.empty())
    plan.id = ViewingSessions::digest(session_of(req), req.media_server + "|" + req.session_id);
  return plan;
}

UsherDecision start_playback(Store& store, const UsherRequest& req, int64_t now,
                             const std::string& server, const SessionPlan& opens,
                             IfRolledBack* if_rolled_back, TicketMemory* refusals) {
  UsherDecision result;
  const uint64_t generation = refusals ? refusals->generation() : 0;  // before the read
  std::optional<TicketRead> refused_on;  // what the rules refused on, to remember
  store.transaction([&] {
    std::optional<Ticket> ticket = ticket_of(store, req);
    std::optional<RecheckFacts> facts;
    if (ticket) facts = facts_of(store, req, *ticket);
    const usher::Decision d =
        usher::decide(ticket ? &*ticket : nullptr, play_request(req, facts ? &*facts : nullptr), now);
    if (refusals && !d.granted()) {
      refused_on = TicketRead{facts ? std::make_shared<const RecheckFacts>(*facts) : nullptr};
    }
    usher::Reason reason = d.reason;
    if (d.granted()) reason = apply_limit(store, *ticket, opens, now, result.ended_sessions);
    result.allowed = reason == usher::Reason::kSuccess;
    result.reason = usher::reason_text(reason);
    if (ticket) result.cdn_id = ticket->cdn_id;
    if (ticket && result.allowed) {
      ticket->uses -= 1;
      ticket->used = now;
      ticket->ip = d.ip_after;
      if (!store.update_ticket(*ticket)) throw StoreError("ticket vanished during a start");
      result.uses_left = ticket->uses;
      result.expires = ticket->expires;
      store.delete_idle_viewing_sessions(now - opens.lapse, kForgetPerOpen);
    }
    Attempt row = attempt_row(req, ticket ? ticket->cdn_id : 0, result.allowed, result.reason, now,
                              server);
    const bool keeps_session = result.allowed && opens.kept_in_attempt();
    if (keeps_session) keep_session(row, req, opens);
    // Only a grant needs its row's id (its session's); a refusal's row may
    // wait to be written with others.
    int64_t row_id = 0;
    if (result.allowed)
      row_id = store.insert_attempt(row);
    else
      store.hold_attempt(row);
    if (keeps_session) result.session_id = attempt_session_id(row_id);
    if (result.allowed && !keeps_session) {
      store.save_viewing_session(session_row(req, opens, ticket->cdn_id, now, row_id));
      result.session_id = opens.id;
    }
    if (if_rolled_back && !result.allowed)
      if_rolled_back->owed_rows.push_back(std::make_shared<const Attempt>(std::move(row)));
  });
  if (refused_on) remember_refusal(*refusals, req, std::move(*refused_on), generation, if_rolled_back);
  return result;
}

std::optional<UsherDecision> refuse_from_memory(const TicketMemory& refusals,
                                                const UsherRequest& req, int64_t now) {
  const std::unique_ptr<TicketRead> read = refusals.fresh(req.credentials.key.value_or(""), req.app);
  if (!read) return std::nullopt;
  const RecheckFacts* facts = read->facts.get();
  // Accounts are enabled behind the server's back (the admin subcommand), and
  // their tickets play again at once (docs/operations.md, Accounts): a
  // disabled account's refusals are always read afresh.
  if (facts && !facts->account_active) return std::nullopt;
  const usher::Decision d = usher::decide(facts ? &facts->ticket : nullptr, play_request(req, facts), now);
  if (d.granted()) return std::nullopt;
  UsherDecision result;
  result.reason = usher::reason_text(d.reason);
  if (facts) result.cdn_id = facts->ticket.cdn_id;
  return result;
}

UsherDecision recheck_playback(Store& store, const UsherRequest& req, int64_t now) {
  std::optional<Ticket> ticket = ticket_of(store, req);
  if (!ticket) return rule_recheck(nullptr, req, now);
  const RecheckFacts facts = facts_of(store, req, std::move(*ticket));
  return rule_recheck(&facts, req, now);
}

namespace {

// The session without a name (docs/sessions.md) that this viewer opened last:
// kept in the attempt row of a start from the same key, pass, ip, app and video
// through the same media server, as attempt_row() logs them.
std::optional<ViewingSession> unnamed_session(Store& store, const UsherRequest& req, int64_t cdn_id,
                                              int64_t now) {
  if (cdn_id == 0) return std::nullopt;  // no ticket: no start opened one
  Attempt viewer = attempt_row(req, cdn_id, true, "", now, "");
  viewer.media_server = req.media_server;
  return store.unnamed_session_of(viewer, now);
}

// A session not re-checked or seen for its lapse is over (docs/sessions.md):
// a re-check does not bring it back, past the viewer limit.
bool lapsed(const ViewingSession& s, int64_t now) {
  return s.lapse > 0 && s.last_seen + s.lapse < now;
}

}  // namespace

UsherDecision recheck_connection(Store& store, const UsherRequest& req, int64_t now,
                                 int64_t ttl) {
  UsherDecision d = recheck_playback(store, req, now);
  if (req.session_id.empty()) {  // the viewer's session without a name, if any
    // Looked for a lapse back, so that one lapsed since is found, and refused.
    const auto unnamed = unnamed_session(store, req, d.cdn_id, now - ttl);
    if (!unnamed) return d;
    if (unnamed->ended || lapsed(*unnamed, now)) return session_over(std::move(d));
    if (d.allowed) store.transaction([&] { store.touch_viewing_session(unnamed->id, now); });
    return d;
  }
  const std::string id = connection_session(req, ttl).id;
  const auto stored = store.viewing_session(id);
  if (!stored) return d;  // opened before sessions were kept, or long forgotten
  if (stored->ended || lapsed(*stored, now)) return session_over(std::move(d));
  store.transaction([&] {
    if (d.allowed) {
      store.touch_viewing_session(id, now);
    } else {
      store.delete_viewing_session(id);
    }
  });
  return d;
}

std::optional<UsherDecision> view_from_memory(ViewingSessions& sessions, const UsherRequest& req,
                                              int64_t now) {
  // A refusal ends the session, in the store too: left to the store path,
  // which also reads the facts afresh.
  return sessions.allowed_from_memory(session_of(req), now, [&req, now](const RecheckFacts& facts) {
    return rule_recheck(&facts, req, now);
  });
}

UsherDecision view_in_session(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                              int64_t now, const std::string& server,
                              IfRolledBack& if_rolled_back) {
  const SessionKey session = session_of(req);
  if (sessions.live(session, now)) {
    if (auto continued = continue_session(store, sessions, session, req, now)) return *continued;
  }

  // Not live here: a start, unless the store knows the session. A player
  // often asks for the playlist and a segment at once, and with several
  // instances the two may land on different ones; the second must see the
  // session the first just opened instead of spending a second use. SQLite's
  // one writer serializes the two transactions; on PostgreSQL the ticket's row
  // lock does (a ticket read inside a transaction takes it), so it is taken
  // before the session is looked for.
  const SessionPlan plan{ViewingSessions::digest(session), sessions.idle()};
  UsherDecision d;
  bool opened = false;
  try {
    store.transaction([&] {
      if (sessions.live(session, now)) {
        if (auto continued = continue_session(store, sessions, session, req, now)) {
          d = std::move(*continued);
          return;
        }
      }
      ticket_of(store, req);  // the lock; start_playback reads the ticket again
      switch (stored_state(store, plan.id, now)) {
        case Stored::kEnded:
          d = session_over(recheck_playback(store, req, now));
          return;
        case Stored::kLive: {  // another instance's, or this one's before a restart: taken over
          sessions.touch(session, now);
          auto continued = continue_session(store, sessions, session, req, now);
          if (!continued) break;  // its row went since stored_state read it
          d = std::move(*continued);
          // Its holder's last write of last_seen may be a second old: written
          // now, so the session never looks lapsed to the API, the viewer
          // limit or a third instance while its viewer plays on here.
          if (d.allowed) store.touch_viewing_session(plan.id, now);
          return;
        }
        case Stored::kUnknown:
          break;
      }
      d = start_playback(store, req, now, server, plan, &if_rolled_back);  // joins this transaction
      if (d.allowed) {
        sessions.touch(session, now);
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
                          int64_t now, int64_t ttl) {
  // The media server names the connection when it can (nginx-rtmp's clientid,
  // SRS's client_id, OME's client address): that session ends; otherwise the
  // HTTP-streaming session of the same viewer does, and the viewer's session
  // without a name. That one lives in its start's attempt row, so it is ended
  // (a row of its id says so) rather than forgotten.
  // Answered like a re-check (docs/hooks.md): the close of a session that is
  // over already (ended through the API, bumped, lapsed) hears so.
  UsherDecision d = recheck_playback(store, req, now);
  if (!req.session_id.empty()) {
    // Ended, not forgotten: a re-check of it after its close event is refused
    // (docs/sessions.md), as one of a session without a name is; a new start
    // of the same connection opens it anew.
    const std::string id = connection_session(req, ttl).id;
    const auto stored = store.viewing_session(id);
    if (stored && (stored->ended || lapsed(*stored, now))) return session_over(std::move(d));
    store.transaction([&] { store.end_viewing_session(id, now, kViewerLeftReason); });
  } else {
    end_session(store, sessions, session_of(req));
    const auto unnamed = unnamed_session(store, req, d.cdn_id, now - ttl);
    if (unnamed && (unnamed->ended || lapsed(*unnamed, now))) return session_over(std::move(d));
    if (unnamed)
      store.transaction([&] { store.end_viewing_session(unnamed->id, now, kViewerLeftReason); });
  }
  return d;
}

}  // namespace sevu::usher_service

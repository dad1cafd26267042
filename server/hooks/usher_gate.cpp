#include "hooks/usher_gate.hpp"

#include "hooks/app_owner.hpp"
#include "hooks/log_text.hpp"

namespace sevu::hooks {

namespace {

// What the usher needs beyond the viewer's request, read fresh on every call:
// the admin subcommands change accounts behind the running server's back, and
// their effect must show within seconds (docs/operations.md, Accounts).
usher::PlayRequest play_request(Store& store, const PlayAttempt& attempt, const Ticket* ticket) {
  usher::PlayRequest req = attempt.play();
  if (ticket) {
    auto owner = app_owner(store, attempt.app);
    req.app_owned_elsewhere = owner && *owner != ticket->cdn_id;
    const std::optional<Account> account = store.account(ticket->cdn_id);
    req.account_active = account && account->active;
  }
  return req;
}

}  // namespace

GateResult start_playback(Store& store, const PlayAttempt& attempt, int64_t now,
                          const std::string& server) {
  GateResult result;
  store.transaction([&] {
    std::optional<Ticket> ticket = store.ticket_by_key(attempt.key);
    const Ticket* t = ticket ? &*ticket : nullptr;
    const usher::Decision d = usher::decide(t, play_request(store, attempt, t), now);
    result.allowed = d.granted();
    result.reason = usher::reason_text(d.reason);
    if (ticket) {
      if (d.granted()) {
        ticket->uses -= 1;
        ticket->used = now;
        ticket->ip = d.ip_after;
        if (!store.update_ticket(*ticket)) throw StoreError("ticket vanished during a start");
        result.uses_left = ticket->uses;
      }
    }

    Attempt row;
    row.cdn_id = ticket ? ticket->cdn_id : 0;
    row.datetime = now;
    row.key = attempt.key;
    row.pass = attempt.pass;
    row.ip = attempt.ip;
    row.video = attempt.video;
    row.app = attempt.app;
    row.appinst = attempt.appinst;
    row.pageurl = attempt.pageurl;
    row.refurl = attempt.refurl;
    row.success = d.granted();
    row.reason = result.reason;
    row.server = server;
    make_loggable(row);
    store.insert_attempt(row);
  });
  return result;
}

GateResult recheck_playback(Store& store, const PlayAttempt& attempt, int64_t now) {
  GateResult result;
  std::optional<Ticket> ticket = store.ticket_by_key(attempt.key);
  const usher::Reason r = ticket
                              ? usher::recheck(*ticket, play_request(store, attempt, &*ticket), now)
                              : usher::Reason::kInvalidAuthToken;
  result.allowed = r == usher::Reason::kSuccess;
  result.reason = usher::reason_text(r);
  if (result.allowed) result.uses_left = ticket->uses;
  return result;
}

}  // namespace sevu::hooks

#include "hooks/usher_gate.hpp"

#include "hooks/log_text.hpp"

namespace sevu::hooks {

GateResult start_playback(Store& store, const PlayAttempt& attempt, int64_t now,
                          const std::string& server) {
  GateResult result;
  store.transaction([&] {
    std::optional<Ticket> ticket = store.ticket_by_key(attempt.key);
    const usher::Decision d = usher::decide(ticket ? &*ticket : nullptr, attempt.play(), now);
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
  const usher::Reason r =
      ticket ? usher::recheck(*ticket, attempt.play(), now) : usher::Reason::kInvalidAuthToken;
  result.allowed = r == usher::Reason::kSuccess;
  result.reason = usher::reason_text(r);
  if (result.allowed) result.uses_left = ticket->uses;
  return result;
}

}  // namespace sevu::hooks

// The viewer limit and the live sessions of a ticket (docs/v2-api.md, "Viewer
// limits and sessions"): GET/PUT /v2/sevu_token/{key}/limits, GET/DELETE
// /v2/sevu_token/{key}/sessions and DELETE /v2/sevu_token/{key}/sessions/{id}.
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "v2/errors.hpp"
#include "v2/query_args.hpp"
#include "v2/request_body.hpp"
#include "v2/routes.hpp"
#include "v2/ticket_input.hpp"
#include "v2/ticket_json.hpp"

namespace sevu::v2 {

namespace {

// Stored as the end reason of a session ended through these routes.
constexpr const char* kEndedReason = "ended through the API";

// None of these routes takes a query parameter.
void no_query(const V2Context& c) {
  QueryArgs args(c.req.query());
  args.reject_rest();
}

Ticket ticket_or_404(const V2Context& c, const std::string& key) {
  auto t = c.store.ticket(c.account.cdn_id, key);
  if (!t) throw not_found("no such sevu_token");
  return *t;
}

HttpResponse limits_reply(const Ticket& t) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_limits(w, t);
  return json_reply(200, buf);
}

// Ends each of `live` not ended meanwhile; those it ended go to c.ended once
// the transaction has committed.
void end_all(const V2Context& c, std::vector<ViewingSession> live) {
  std::vector<ViewingSession> ended;
  c.store.transaction(
      [&] { ended = end_viewing_sessions(c.store, std::move(live), c.now, kEndedReason); });
  for (ViewingSession& s : ended) c.ended.push_back(std::move(s));
}

}  // namespace

HttpResponse get_limits(const V2Context& c, const std::string& key) {
  no_query(c);
  return limits_reply(ticket_or_404(c, key));
}

HttpResponse put_limits(const V2Context& c, const std::string& key) {
  no_query(c);
  JsonDocument body;
  read_json_object(c.req, body, false);
  const LimitsUpdate in = parse_limits_update(body);

  // Read-modify-write in one write transaction, as the token update does: a
  // start spending a use at the same moment is not overwritten.
  Ticket t;
  c.store.transaction([&] {
    t = ticket_or_404(c, key);
    if (in.max_viewers) t.max_viewers = *in.max_viewers;
    if (in.when_full) t.when_full = *in.when_full;
    if (!c.store.update_ticket(t)) throw not_found("no such sevu_token");
  });
  return limits_reply(t);
}

HttpResponse list_sessions(const V2Context& c, const std::string& key) {
  no_query(c);
  // A revoked ticket has ended its sessions: each is refused at its next
  // contact (docs/sessions.md), so none is listed as live.
  const std::vector<ViewingSession> live =
      ticket_or_404(c, key).active ? c.store.live_viewing_sessions(c.account.cdn_id, key, c.now)
                                   : std::vector<ViewingSession>{};
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const ViewingSession& s : live) write_session(w, s);
  w.EndArray();
  return json_reply(200, buf);
}

HttpResponse end_sessions(const V2Context& c, const std::string& key) {
  no_query(c);
  ticket_or_404(c, key);
  const std::size_t before = c.ended.size();
  end_all(c, c.store.live_viewing_sessions(c.account.cdn_id, key, c.now));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("ended");
  w.Uint64(c.ended.size() - before);
  w.EndObject();
  return json_reply(200, buf);
}

HttpResponse end_session(const V2Context& c, const std::string& key, const std::string& id) {
  no_query(c);
  ticket_or_404(c, key);
  // Looked up among the ticket's live sessions: another ticket's, an ended or
  // a lapsed one is not found, exactly like an id that never existed.
  for (const ViewingSession& s : c.store.live_viewing_sessions(c.account.cdn_id, key, c.now)) {
    if (s.id != id) continue;
    const std::size_t before = c.ended.size();
    end_all(c, {s});
    if (c.ended.size() == before) break;  // ended meanwhile
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  throw not_found("no such live session of this sevu_token");
}

}  // namespace sevu::v2

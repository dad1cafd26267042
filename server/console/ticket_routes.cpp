// The ticket routes under /console/api/tickets (docs/console.md): search,
// create (sevu.request's fields, checked by v2's rules), one ticket, revoke,
// and its live sessions and limits through v2's own handlers.
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "auth/keygen.hpp"
#include "console/json.hpp"
#include "console/routes.hpp"
#include "core/json_util.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"
#include "v2/routes.hpp"
#include "v2/ticket_input.hpp"

namespace sevu::console {

namespace {

constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 200;

int64_t number(v2::QueryArgs& args, const char* name, int64_t fallback, int64_t min,
               int64_t max) {
  auto text = args.take(name);
  if (!text) return fallback;
  auto n = parse_decimal(*text);
  if (!n || *n < min || *n > max)
    throw v2::bad_request(v2::code::kInvalidValue,
                          std::string(name) + " must be a whole number from " +
                              std::to_string(min) + " to " + std::to_string(max),
                          name);
  return *n;
}

Ticket ticket_or_404(const Context& c, const Account& account, const std::string& key) {
  auto t = c.store.ticket(account.cdn_id, key);
  if (!t) throw v2::not_found("no such ticket");
  return *t;
}

HttpResponse ticket_reply(int status, const Ticket& t) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  write_ticket(w, t);
  return json_reply(status, buf);
}

// v2's create check speaks of expire_date; here the field is sevu.request's expire.
v2::V2Error as_expire(v2::V2Error e) {
  if (e.field != "expire_date") return e;
  e.field = "expire";
  for (std::size_t at; (at = e.message.find("expire_date")) != std::string::npos;)
    e.message.replace(at, 11, "expire");
  return e;
}

// The body as v2's create and limits checks read it, each member copied under
// its v2 name; unknown members and a missing expire refused first.
Ticket parse_create(const rapidjson::Value& body, const Account& account, int64_t now) {
  // The fields of sevu.request (docs/legacy-api.md) a console create may send.
  only_members(body, {"app", "video", "pass", "uses", "expire", "ip", "max_viewers", "when_full"});
  if (!body.HasMember("expire"))
    throw v2::bad_request(v2::code::kRequiredField, "expire is required", "expire");
  rapidjson::Document ticket_body(rapidjson::kObjectType), limits_body(rapidjson::kObjectType);
  auto& a = ticket_body.GetAllocator();
  auto& la = limits_body.GetAllocator();
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    if (name == "max_viewers" || name == "when_full") {
      limits_body.AddMember(rapidjson::Value(name.c_str(), la), rapidjson::Value(m->value, la), la);
    } else {
      const std::string v2_name = name == "expire" ? "expire_date" : name;
      ticket_body.AddMember(rapidjson::Value(v2_name.c_str(), a), rapidjson::Value(m->value, a),
                            a);
    }
  }
  v2::TicketCreate in;
  try {
    in = v2::parse_ticket_create(ticket_body, account, now);
  } catch (const v2::V2Error& e) {
    throw as_expire(e);
  }
  if (in.expires <= now)
    throw v2::bad_request(v2::code::kInvalidValue, "expire must be in the future", "expire");
  const v2::LimitsUpdate limits = v2::parse_limits_update(limits_body);

  Ticket t = v2::new_ticket(in, account.cdn_id, now);  // active: the body has no "active"
  t.max_viewers = limits.max_viewers.value_or(0);
  t.when_full = limits.when_full.value_or("deny");
  return t;
}

// v2's session and limit handlers, run for the acting account. They take no
// query parameter, so they see the request without the console's cdn_id.
struct V2Call {
  HttpRequest bare;
  Account account;
  V2Call(const Context& c, const Account& a) : bare(c.req), account(a) {
    bare.target = std::string(c.req.path());
  }
  v2::V2Context context(const Context& c) { return {bare, c.store, account, c.now, c.ended}; }
};

// v2 answers a missing ticket as a sevu_token; here it is a ticket.
template <class Call>
HttpResponse through_v2(Call call) {
  try {
    return call();
  } catch (const v2::V2Error& e) {
    if (e.status == 404 && e.message == "no such sevu_token") throw v2::not_found("no such ticket");
    throw;
  }
}

}  // namespace

HttpResponse list_tickets(const Context& c) {
  v2::QueryArgs args(c.req.query());
  const Account account = acting_account(c, args);
  const std::string q = args.take("q").value_or("");
  const int64_t offset = number(args, "offset", 0, 0, INT64_MAX / 2);
  const int64_t limit = number(args, "limit", kDefaultPage, 1, kMaxPage);
  args.reject_rest();
  const std::vector<Ticket> rows = c.store.search_tickets(account.cdn_id, q, offset, limit);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("total");
  w.Int64(c.store.count_tickets_matching(account.cdn_id, q));
  w.Key("rows");
  w.StartArray();
  for (const Ticket& t : rows) write_ticket(w, t);
  w.EndArray();
  w.EndObject();
  return json_reply(200, buf);
}

HttpResponse create_ticket(const Context& c) {
  const Account account = acting_account_only(c);
  JsonDocument body;
  read_body(c, body);
  Ticket t = parse_create(body, account, c.now);
  if (!insert_with_fresh_key(c.store, t, [&] { return make_ticket_key(t.video); }))
    throw v2::V2Error(500, v2::code::kInternal, "could not allocate a unique key");
  // The row as stored, exactly what a GET returns.
  return ticket_reply(201, c.store.ticket(account.cdn_id, t.key).value_or(t));
}

HttpResponse get_ticket(const Context& c, const std::string& key) {
  const Account account = acting_account_only(c);
  return ticket_reply(200, ticket_or_404(c, account, key));
}

HttpResponse revoke_ticket(const Context& c, const std::string& key) {
  const Account account = acting_account_only(c);
  // Read and write in one transaction, as sevu.revoke does: a start spending a
  // use at the same moment is not undone.
  Ticket t;
  std::vector<ViewingSession> ended;
  c.store.transaction([&] {
    t = ticket_or_404(c, account, key);
    if (!t.active) return;
    t.active = false;
    if (!c.store.update_ticket(t)) throw v2::not_found("no such ticket");
    ended = end_sessions_of_revoked(c.store, t.cdn_id, t.key, c.now);
  });
  for (ViewingSession& s : ended) c.ended.push_back(std::move(s));
  return ticket_reply(200, t);
}

HttpResponse list_sessions(const Context& c, const std::string& key) {
  V2Call call(c, acting_account_only(c));
  return through_v2([&] { return v2::list_sessions(call.context(c), key); });
}

HttpResponse end_session(const Context& c, const std::string& key, const std::string& id) {
  V2Call call(c, acting_account_only(c));
  return through_v2([&] { return v2::end_session(call.context(c), key, id); });
}

HttpResponse put_limits(const Context& c, const std::string& key) {
  V2Call call(c, acting_account_only(c));
  JsonDocument body;
  read_body(c, body);  // application/json, as every console body
  return through_v2([&] { return v2::put_limits(call.context(c), key); });
}

}  // namespace sevu::console

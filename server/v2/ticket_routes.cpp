// GET/PUT /v2/sevu_token and GET/POST/DELETE /v2/sevu_token/{key}.
#include <optional>
#include <string_view>
#include <vector>

#include "auth/keygen.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"
#include "v2/query_args.hpp"
#include "v2/request_body.hpp"
#include "v2/routes.hpp"
#include "v2/ticket_fields.hpp"
#include "v2/ticket_input.hpp"
#include "v2/ticket_json.hpp"

namespace sevu::v2 {

namespace {

// Embedded children are capped like a page; the attempt routes page further.
std::vector<Attempt> embedded_attempts(const V2Context& c, const std::string& key) {
  AttemptFilter f;
  f.key = key;
  f.limit = kMaxPageSize;
  return c.store.attempts(c.account.cdn_id, f);
}

HttpResponse ticket_reply(const V2Context& c, int status, const Ticket& t, bool children) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  if (children) {
    const std::vector<Attempt> attempts = embedded_attempts(c, t.key);
    write_ticket(w, t, &attempts);
  } else {
    write_ticket(w, t);
  }
  return json_reply(status, buf);
}

// A GET may also name option:children in a JSON body; nothing else belongs there.
bool children_in_get_body(const V2Context& c) {
  JsonDocument body;
  if (!read_json_object(c.req, body, true)) return false;
  bool children = false;
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    if (name != kChildrenOption)
      throw bad_request(code::kUnknownField,
                        "only option:children may be given in the body of a GET: " + name, name);
    if (!m->value.IsString())
      throw bad_request(code::kTypeMismatch, "option:children must be a string", name);
    children =
        parse_children_option(std::string_view(m->value.GetString(), m->value.GetStringLength()));
  }
  return children;
}

int64_t filter_number(const std::string& name, const std::string& value) {
  auto v = parse_decimal(value);
  if (!v)
    throw bad_request(code::kInvalidValue, name + " filter must be a non-negative integer", name);
  return *v;
}

bool filter_bool(const std::string& name, const std::string& value) {
  if (const std::optional<bool> b = parse_bool(value)) return *b;
  throw bad_request(code::kInvalidValue, name + " filter must be true, false, 1 or 0", name);
}

// A date filter names one second: any date form expire_date accepts, or the
// kNeverDatetime a never-used ticket shows as used_date.
int64_t filter_date(const std::string& name, const std::string& value, int64_t now) {
  if (value == kNeverDatetime) return 0;
  auto when = parse_datetime(value, now);
  if (!when)
    throw bad_request(code::kInvalidValue, name + " filter must be a date (YYYY-MM-DD HH:MM:SS)",
                      name);
  return *when;
}

// Fills f from the remaining query parameters (dates match to the second). Returns false when the
// filter can match nothing (a cdn_id other than the caller's own).
bool take_filters(const QueryArgs& args, const V2Context& c, TicketFilter& f) {
  bool can_match = true;
  for (const auto& [name, value] : args.rest()) {
    if (find_ticket_field(name) == nullptr)
      throw bad_request(code::kUnknownField, "unknown query parameter: " + name, name);
    if (name == "id")
      f.id = filter_number(name, value);
    else if (name == "cdn_id")
      can_match = filter_number(name, value) == c.account.cdn_id;
    else if (name == "key")
      f.key = value;
    else if (name == "pass")
      f.pass = value;
    else if (name == "ip")
      f.ip = value;
    else if (name == "video")
      f.video = value;
    else if (name == "app")
      f.app = value;
    else if (name == "uses")
      f.uses = filter_number(name, value);
    else if (name == "active")
      f.active = filter_bool(name, value);
    else if (name == "created_date")
      f.created = filter_date(name, value, c.now);
    else if (name == "expire_date")
      f.expires = filter_date(name, value, c.now);
    else if (name == "used_date")
      f.used = filter_date(name, value, c.now);
  }
  return can_match;
}

}  // namespace

HttpResponse list_tickets(const V2Context& c) {
  QueryArgs args(c.req.query());
  const Page page = take_page(args);
  const bool query_children = take_children(args);
  TicketFilter f;
  f.limit = page.limit;
  f.offset = page.offset;
  const bool can_match = take_filters(args, c, f);
  const bool children = children_in_get_body(c) || query_children;

  const std::vector<Ticket> tickets =
      can_match ? c.store.tickets(c.account.cdn_id, f) : std::vector<Ticket>{};
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const Ticket& t : tickets) {
    if (children) {
      const std::vector<Attempt> attempts = embedded_attempts(c, t.key);
      write_ticket(w, t, &attempts);
    } else {
      write_ticket(w, t);
    }
  }
  w.EndArray();
  return json_reply(200, buf);
}

HttpResponse get_ticket(const V2Context& c, const std::string& key) {
  QueryArgs args(c.req.query());
  const bool query_children = take_children(args);
  args.reject_rest();
  const bool children = children_in_get_body(c) || query_children;
  auto t = c.store.ticket(c.account.cdn_id, key);
  if (!t) throw not_found("no such sevu_token");
  return ticket_reply(c, 200, *t, children);
}

HttpResponse create_ticket(const V2Context& c) {
  QueryArgs args(c.req.query());
  const bool query_children = take_children(args);
  args.reject_rest();
  JsonDocument body;
  read_json_object(c.req, body, false);
  const TicketCreate in = parse_ticket_create(body, c.account, c.now);

  Ticket t = new_ticket(in, c.account.cdn_id, c.now);
  if (!insert_with_fresh_key(c.store, t, [&] { return make_ticket_key(t.video); }))
    throw V2Error(500, code::kInternal, "could not allocate a unique key");

  // Answer with the row as stored, so the reply is exactly what a GET returns.
  const Ticket stored = c.store.ticket(c.account.cdn_id, t.key).value_or(t);
  HttpResponse r = ticket_reply(c, 201, stored, in.children || query_children);
  r.headers.emplace_back("Location", "/v2/sevu_token/" + stored.key);
  return r;
}

HttpResponse update_ticket(const V2Context& c, const std::string& key) {
  QueryArgs args(c.req.query());
  const bool query_children = take_children(args);
  args.reject_rest();
  JsonDocument body;
  read_json_object(c.req, body, false);
  const TicketUpdate in = parse_ticket_update(body, c.now);

  // Read-modify-write in one write transaction: a playback start spending a
  // use at the same moment is neither lost nor overwritten.
  Ticket t;
  std::vector<ViewingSession> ended;
  c.store.transaction([&] {
    auto current = c.store.ticket(c.account.cdn_id, key);
    if (!current) throw not_found("no such sevu_token");
    t = *current;
    if (in.active) t.active = *in.active;
    if (in.expires) t.expires = *in.expires;
    if (!c.store.update_ticket(t)) throw not_found("no such sevu_token");
    if (current->active && !t.active)
      ended = end_sessions_of_revoked(c.store, t.cdn_id, t.key, c.now);
  });
  for (ViewingSession& s : ended) c.ended.push_back(std::move(s));
  return ticket_reply(c, 200, t, in.children || query_children);
}

HttpResponse delete_ticket(const V2Context& c, const std::string& key) {
  QueryArgs args(c.req.query());
  args.reject_rest();
  if (!c.store.delete_ticket(c.account.cdn_id, key)) throw not_found("no such sevu_token");
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace sevu::v2

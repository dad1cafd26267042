// The ticket commands: sevu.request creates a ticket (upstream codes
// 2000-2004; the viewer limit fields are an extension), sevu.status shows one, sevu.revoke deactivates one. Every store
// call is scoped to the caller's account, so another account's key is answered
// exactly like a key that does not exist.
#include <string>

#include "auth/keygen.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"
#include "core/utf8.hpp"
#include "legacy/commands/command.hpp"
#include "legacy/wire/request_fields.hpp"
#include "usher/decision.hpp"
#include "usher/ip_rules.hpp"

namespace sevu::legacy {

namespace {

constexpr std::size_t kMaxFieldBytes = 4096;

// A text field of the ticket: a string within the length limit. Returns the
// problem for a 2001 message, or empty when fine. An absent optional field is fine.
std::string read_text(const rapidjson::Value& request, const char* name, std::string& out) {
  const rapidjson::Value* v = given_field(request, name);
  if (v == nullptr) return {};
  if (!v->IsString()) return std::string(name) + " must be a string";
  if (v->GetStringLength() > kMaxFieldBytes) {
    return std::string(name) + " is longer than " + std::to_string(kMaxFieldBytes) + " bytes";
  }
  out = string_value(*v);
  // PostgreSQL's text cannot hold a NUL: refused on both stores alike (the
  // parser has checked the UTF-8 already).
  if (!storable_text(out)) return std::string(name) + " must not contain NUL";
  return {};
}

// expire wins over its alias expires when both are given; *name is the one
// read, for a message that names the field the client sent.
std::optional<int64_t> read_expiry(const rapidjson::Value& request, int64_t now,
                                   const char** name) {
  *name = "expire";
  const rapidjson::Value* v = given_field(request, *name);
  if (v == nullptr) v = given_field(request, *name = "expires");
  if (v == nullptr) return std::nullopt;
  return time_value(*v, now);
}

// The `ticket` object of sevu.request and sevu.status replies: every value a
// string, exactly like upstream's example ("uses": "5", "active": "1",
// "used_date": "0000-00-00 00:00:00" until first use).
void write_ticket_member(JsonWriter& w, const Ticket& t, bool with_expire_date) {
  w.Key("ticket");
  w.StartObject();
  put(w, "key", t.key);
  put(w, "pass", t.pass);
  put(w, "ip", t.ip);
  put(w, "video", t.video);
  put(w, "app", t.app);
  put(w, "created_date", format_datetime(t.created));
  put(w, "used_date", format_datetime(t.used));
  put(w, "uses", std::to_string(t.uses));
  put(w, "active", std::string(t.active ? "1" : "0"));
  if (with_expire_date) put(w, "expire_date", format_date(t.expires));
  w.EndObject();
}

// The viewer limit, an extension (docs/legacy-api.md): max_viewers an integer
// >= 0 (a JSON integer or a string of digits, as uses), when_full "deny" (the
// default) or "end_oldest". Returns the problem for a 2001 message, or empty.
std::string read_limits(const rapidjson::Value& request, Ticket& t) {
  if (const rapidjson::Value* v = given_field(request, "max_viewers")) {
    auto max = int_value(*v);
    if (!max || *max < 0) return "max_viewers must be an integer >= 0";
    t.max_viewers = *max;
  }
  t.when_full = usher::kWhenFullDeny;
  if (const rapidjson::Value* v = given_field(request, "when_full")) {
    if (!v->IsString() || !usher::valid_when_full(string_value(*v)))
      return "when_full must be \"deny\" or \"end_oldest\"";
    t.when_full = string_value(*v);
  }
  return {};
}

}  // namespace

// sevu.request
Reply ticket_request(const CommandContext& c) {
  Ticket t;
  for (auto [name, field] : {std::pair<const char*, std::string*>{"app", &t.app},
                             {"video", &t.video},
                             {"pass", &t.pass},
                             {"ip", &t.ip}}) {
    std::string problem = read_text(c.request, name, *field);
    if (!problem.empty()) return reply(Code::kTicketNotCreated, problem);
  }
  // An invalid entry would be stored and then deny, or admit, everyone.
  if (auto problem = usher::ip_list_problem(t.ip)) return reply(Code::kTicketNotCreated, *problem);

  if (std::string problem = read_limits(c.request, t); !problem.empty())
    return reply(Code::kTicketNotCreated, problem);

  const rapidjson::Value* uses = given_field(c.request, "uses");
  auto count = uses ? int_value(*uses) : std::nullopt;
  if (!count || *count <= 0) return reply(Code::kUsesNotPositive);
  t.uses = *count;

  const int64_t now = c.clock.now();
  const char* field = nullptr;
  auto expires = read_expiry(c.request, now, &field);
  if (!expires) return reply(Code::kTicketNotCreated, std::string(field) + " is not a valid date");
  if (*expires <= now) return reply(Code::kExpiryNotFuture);

  t.cdn_id = c.account.cdn_id;
  t.active = true;
  t.created = now;
  t.expires = *expires;
  t.used = 0;
  if (!insert_with_fresh_key(c.store, t, [&] { return make_ticket_key(t.video); }))
    return reply(Code::kTicketNotCreated, "no free ticket key");

  // The reply shows the ticket as inserted: the store keeps every field as
  // given or throws, so reading it back (upstream's code 2000 when that
  // fails) would only repeat a seek in the group-commit writer every signed
  // write waits on (docs/performance.md, "The new ticket not read back").
  Reply r = reply(Code::kTicketGranted);
  r.payload = [ticket = std::move(t)](JsonWriter& w) { write_ticket_member(w, ticket, false); };
  return r;
}

// sevu.status
Reply ticket_status(const CommandContext& c) {
  const rapidjson::Value* key = given_field(c.request, "key");
  if (key == nullptr || !key->IsString()) return reply(Code::kTicketNotFound);
  auto ticket = c.store.ticket(c.account.cdn_id, string_value(*key));
  if (!ticket) return reply(Code::kTicketNotFound);
  Reply r = reply(Code::kTicketFound);
  r.payload = [t = *ticket](JsonWriter& w) { write_ticket_member(w, t, true); };
  return r;
}

// sevu.revoke: revoking a revoked ticket succeeds again.
Reply ticket_revoke(const CommandContext& c) {
  const rapidjson::Value* key = given_field(c.request, "key");
  if (key == nullptr || !key->IsString()) return reply(Code::kRevokeNotFound);
  const std::string wanted = string_value(*key);
  bool found = false;
  // Read and write in one transaction: update_ticket writes uses and ip too,
  // and a playback start in between must not be undone.
  c.store.transaction([&] {
    auto ticket = c.store.ticket(c.account.cdn_id, wanted);
    if (!ticket) return;
    found = true;
    if (!ticket->active) return;
    ticket->active = false;
    c.store.update_ticket(*ticket);
    std::vector<ViewingSession> ended =
        end_sessions_of_revoked(c.store, ticket->cdn_id, ticket->key, c.clock.now());
    if (c.ended) c.ended->insert(c.ended->end(), ended.begin(), ended.end());
  });
  return reply(found ? Code::kTicketRevoked : Code::kRevokeNotFound);
}

}  // namespace sevu::legacy

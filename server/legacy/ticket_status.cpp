// sevu.status: one ticket of the caller's account. Another account's key is
// answered exactly like a key that does not exist.
#include "legacy/command.hpp"
#include "legacy/request_fields.hpp"
#include "legacy/ticket_payload.hpp"

namespace sevu::legacy {

Reply ticket_status(const CommandContext& c) {
  const rapidjson::Value* key = given_field(c.request, "key");
  if (key == nullptr || !key->IsString()) return reply(Code::kTicketNotFound);
  auto ticket = c.store.ticket(c.account.cdn_id, string_value(*key));
  if (!ticket) return reply(Code::kTicketNotFound);
  Reply r = reply(Code::kTicketFound);
  r.payload = [t = *ticket](JsonWriter& w) { write_ticket_member(w, t, true); };
  return r;
}

}  // namespace sevu::legacy

// sevu.revoke: deactivate a ticket of the caller's account. Revoking a revoked
// ticket succeeds again; another account's key looks like an unknown one.
#include "legacy/command.hpp"
#include "legacy/request_fields.hpp"

namespace sevu::legacy {

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
  });
  return reply(found ? Code::kTicketRevoked : Code::kRevokeNotFound);
}

}  // namespace sevu::legacy

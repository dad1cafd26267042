// The legacy commands this server knows; anything else is code 0.
#include "legacy/commands/command.hpp"
#include "legacy/commands/stream_users/commands.hpp"

namespace sevu::legacy {

const CommandSpec* find_command(std::string_view name) {
  using E = Effect;
  static const std::vector<CommandSpec> commands = {
      {"sevu.request",
       E::kWrites,
       {{"app"}, {"video"}, {"pass"}, {"uses"}, {"expire", "expires"}},
       &ticket_request,
       nullptr,
       /*adds_ticket=*/true},
      {"sevu.status", E::kReads, {{"key"}}, &ticket_status},
      {"sevu.revoke", E::kWrites, {{"key"}}, &ticket_revoke},
      {"sevu.attempts", E::kReads, {{"key"}}, &attempt_list},
      {"sevu.errorlog", E::kReads, {}, &attempt_list},  // the same listing, key optional
      {"sevu.errorcount", E::kReads, {}, &attempt_count},
      // Stream users check their own required fields: a null user/pass is an
      // answer there, not an omission.
      {"sevu.addstreamuser", E::kWrites, {}, &stream_user_add, &stream_user_add_prepare},
      {"sevu.liststreamusers", E::kReads, {}, &stream_user_list},
      {"sevu.retrievestreamuser", E::kReads, {}, &stream_user_retrieve},
      {"sevu.removestreamuser", E::kWrites, {}, &stream_user_remove},
      {"sevu.updatestream", E::kWrites, {}, &stream_user_update},
  };
  for (const auto& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace sevu::legacy

// The legacy commands this server knows; anything else is code 0.
#include "legacy/command.hpp"
#include "legacy/stream_user_commands.hpp"

namespace sevu::legacy {

const CommandSpec* find_command(std::string_view name) {
  static const std::vector<CommandSpec> commands = {
      {"sevu.request",
       {{"app"}, {"video"}, {"pass"}, {"uses"}, {"expire", "expires"}},
       &ticket_request},
      {"sevu.status", {{"key"}}, &ticket_status},
      {"sevu.revoke", {{"key"}}, &ticket_revoke},
      {"sevu.attempts", {{"key"}}, &attempt_list},
      {"sevu.errorlog", {}, &attempt_list},  // the same listing, key optional
      {"sevu.errorcount", {}, &attempt_count},
      // Stream users check their own required fields: a null user/pass is an
      // answer there, not an omission.
      {"sevu.addstreamuser", {}, &stream_user_add},
      {"sevu.liststreamusers", {}, &stream_user_list},
      {"sevu.retrievestreamuser", {}, &stream_user_retrieve},
      {"sevu.removestreamuser", {}, &stream_user_remove},
      {"sevu.updatestream", {}, &stream_user_update},
  };
  for (const auto& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace sevu::legacy

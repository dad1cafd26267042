// legacy/commands/stream_users/: the stream-user commands (publish credentials
// plus record/DVR settings), all in commands.cpp; fields (reading and
// validating their settings, crontab for schedules) and json (how a stream user
// appears in replies) are shared by them. Same rules as the rest of commands/.
// Handlers in the shape of command.hpp's CommandHandler; each checks its own
// required fields, because user/pass sent as null are answers, not omissions.
// Another account's stream user is answered exactly like one that does not exist.
#pragma once

#include "legacy/commands/command.hpp"

namespace sevu::legacy {

Reply stream_user_add(const CommandContext& c);       // sevu.addstreamuser
Reply stream_user_list(const CommandContext& c);      // sevu.liststreamusers
Reply stream_user_retrieve(const CommandContext& c);  // sevu.retrievestreamuser
Reply stream_user_remove(const CommandContext& c);    // sevu.removestreamuser
Reply stream_user_update(const CommandContext& c);    // sevu.updatestream

// sevu.addstreamuser's prepare step (command.hpp): the hash of a well-formed pass.
Prepared stream_user_add_prepare(const rapidjson::Value& request);

}  // namespace sevu::legacy

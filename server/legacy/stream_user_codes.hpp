// Response codes of the stream-user commands. 9, 10, 11, 2070-2072, 2090 and
// 2091 are upstream's; 2092-2098 are this project's (decided). The rows live
// here so these commands can be built and tested on their own; codes.cpp's
// all_codes() appends stream_user_code_table() to make them part of the one
// table (code_info, the envelope's status, docs/legacy-api.md).
#pragma once

#include <string_view>
#include <vector>

#include "legacy/codes.hpp"
#include "legacy/envelope.hpp"

namespace sevu::legacy {

// sevu.addstreamuser (9-11 also sevu.updatestream)
constexpr Code kSegmentTypeInvalid = static_cast<Code>(9);
constexpr Code kSegmentValueNotPositive = static_cast<Code>(10);
constexpr Code kCrontabInvalid = static_cast<Code>(11);
constexpr Code kStreamUserNotCreated = static_cast<Code>(2070);
constexpr Code kStreamUserAdded = static_cast<Code>(2071);
constexpr Code kStreamUserLimitReached = static_cast<Code>(2072);
// sevu.liststreamusers
constexpr Code kStreamUsersNotFound = static_cast<Code>(2090);
constexpr Code kStreamUsersFound = static_cast<Code>(2091);
// sevu.retrievestreamuser
constexpr Code kStreamUserFound = static_cast<Code>(2092);
constexpr Code kStreamUserNotFound = static_cast<Code>(2093);
// sevu.removestreamuser
constexpr Code kStreamUserRemoved = static_cast<Code>(2094);
constexpr Code kRemoveStreamUserNotFound = static_cast<Code>(2095);
// sevu.updatestream (plus 9, 10, 11)
constexpr Code kStreamUpdated = static_cast<Code>(2096);
constexpr Code kUpdateStreamNotFound = static_cast<Code>(2097);
constexpr Code kStreamFieldInvalid =
    static_cast<Code>(2098);  // also a bad id / filter of these commands

const std::vector<CodeInfo>& stream_user_code_table();

// Like reply(code) / reply(code, detail), from this table. Upstream's fixed
// texts (9, 10, 11, 2072) stay exactly as upstream writes them, so clients that
// compare messages keep working: their detail goes into a "detail" member of the
// reply instead. Every other code gets the detail after ": ".
Reply stream_user_reply(Code code);
Reply stream_user_reply(Code code, std::string_view detail);

}  // namespace sevu::legacy

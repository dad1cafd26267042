// Naming one stream user, for sevu.retrievestreamuser and sevu.removestreamuser:
// by `streamuser_id`, or by `app` + `stream` + `user` (user null = the row
// without authentication). streamuser_id wins when both are given.
#pragma once

#include <optional>

#include "legacy/command.hpp"
#include "store/records.hpp"

namespace sevu::legacy {

struct StreamUserLookup {
  std::optional<Reply> problem;     // code 6 or 2098: the request names no stream user
  std::optional<StreamUser> found;  // nullopt with no problem: not found (or another account's)
};

StreamUserLookup find_stream_user(const CommandContext& c);

// The caller's stream user with exactly this app, stream and user, if any.
std::optional<StreamUser> stream_user_by_identity(const CommandContext& c, const std::string& app,
                                                  const std::string& stream,
                                                  const std::optional<std::string>& user);

}  // namespace sevu::legacy

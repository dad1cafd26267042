// MediaMTX authMethod: http — POST JSON {user, password, token, ip, action,
// path, protocol, id, query}. Allow = 2xx, deny = 401 (docs/hooks.md, MediaMTX).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_context.hpp"
#include "store/store.hpp"

namespace sevu::hooks {

struct MediaMtxCall {
  std::string action, ip, path, protocol, query;
  std::string app, video;  // path "demo-origin/mystream": first segment, then the rest
  // Credentials: user/password when both are non-empty, else key/pass (read) or
  // user/pass (publish) from the query string.
  std::optional<std::string> key, pass, user;
};

std::optional<MediaMtxCall> decode_mediamtx(std::string_view body, std::string& problem);

HookReply handle_mediamtx(const HttpRequest& req, Store& store, const HookContext& ctx);

}  // namespace sevu::hooks

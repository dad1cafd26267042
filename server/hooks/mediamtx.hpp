// MediaMTX authMethod: http — POST JSON {user, password, token, ip, action,
// path, protocol, id, query}. Allow = 2xx, deny = 401 (docs/hooks.md, MediaMTX).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct MediaMtxCall {
  std::string action, ip, path, protocol, query;
  std::string id;  // MediaMTX's id of the connection or session (a UUID; absent on old versions)
  std::string app, video;  // path "demo-origin/mystream": first segment, then the rest
  // Credentials: user/password when both are non-empty, else key/pass (read) or
  // user/pass (publish) from the query string.
  Credentials credentials;
};

std::optional<MediaMtxCall> decode_mediamtx(std::string_view body, std::string& problem);

HookCall mediamtx_call(const HttpRequest& req);

}  // namespace sevu::hooks

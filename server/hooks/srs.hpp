// SRS http_hooks: POST JSON {action, client_id, ip, vhost, app, stream, param,
// tcUrl, pageUrl, ...}. The viewer's key/pass arrive in `param` ("?key=..&pass=..").
// Allow = HTTP 200 with body "0"; deny = 403 (SRS refuses anything but 200/201
// with "0" or {"code":0}) (docs/hooks.md, SRS).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_context.hpp"
#include "store/store.hpp"

namespace sevu::hooks {

struct SrsCall {
  std::string action, ip, app, stream, param, page_url, tc_url;
  std::optional<std::string> key, pass, user;  // from param
};

std::optional<SrsCall> decode_srs(std::string_view body, std::string& problem);

HookReply handle_srs(const HttpRequest& req, Store& store, const HookContext& ctx);

}  // namespace sevu::hooks

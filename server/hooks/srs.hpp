// SRS http_hooks: POST JSON {action, ip, vhost, app, stream, param,
// tcUrl, pageUrl, ...}. The viewer's key/pass arrive in `param` ("?key=..&pass=..").
// Allow = HTTP 200 with body "0"; deny = 403 (SRS refuses anything but 200/201
// with "0" or {"code":0}) (docs/hooks.md, SRS).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct SrsCall {
  std::string action, ip, app, param, page_url, tc_url;
  std::string stream;     // an HLS viewer's "mystream.m3u8" read as "mystream"
  std::string client_id;  // SRS's id of the connection: a string since SRS 4, a number before
  Credentials credentials;  // from param, else from tcUrl's query
};

std::optional<SrsCall> decode_srs(std::string_view body, std::string& problem);

HookCall srs_call(const HttpRequest& req);

}  // namespace sevu::hooks

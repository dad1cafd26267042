// nginx-rtmp notify hooks (on_play, on_publish, on_update, on_done, ...):
// POST application/x-www-form-urlencoded, nginx's own fields first, then the
// viewer's query appended raw. Allow = 2xx, deny = 403 (docs/hooks.md, nginx-rtmp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct NginxRtmpCall {
  // nginx's fields: the FIRST occurrence, so a viewer appending
  // "&call=publish&addr=1.2.3.4" to the stream name changes nothing.
  std::string call, addr, clientid, app, name, pageurl, swfurl, tcurl;
  // The viewer's: key/pass (ticket) or user/pass (publisher). When the play/publish
  // args carry none, the query of tcurl (the connect URL) is used instead.
  Credentials credentials;
};

// nullopt with `problem` set when the body is not a readable notify call.
std::optional<NginxRtmpCall> decode_nginx_rtmp(std::string_view body, std::string& problem);

HookCall nginx_rtmp_call(const HttpRequest& req);

}  // namespace sevu::hooks

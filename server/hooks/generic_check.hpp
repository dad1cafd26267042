// POST /hooks/check: the generic hook for anything that can send JSON
// {key, pass, ip, app, video, appinst?, pageurl?, refurl?, action?, user?}.
// action "play" (default) is a start, "recheck" re-checks a running session
// without spending, "publish" authenticates a stream user (user + pass, video =
// stream). 200 + {"allowed":true,...} or 403 + {"allowed":false,...} (docs/hooks.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct GenericCheck {
  std::string action = "play";  // as sent
  UsherRequest request;         // its action set from it
};

std::optional<GenericCheck> decode_generic_check(std::string_view body, std::string& problem);

HookCall generic_check_call(const HttpRequest& req);

}  // namespace sevu::hooks

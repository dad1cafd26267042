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
#include "hooks/hook_context.hpp"
#include "hooks/usher_gate.hpp"
#include "store/store.hpp"

namespace sevu::hooks {

struct GenericCheck {
  std::string action = "play";
  PlayAttempt attempt;
  std::optional<std::string> user;  // publish only
  bool has_pass = false;            // publish: a missing pass is not an empty one
};

std::optional<GenericCheck> decode_generic_check(std::string_view body, std::string& problem);

HookReply handle_generic_check(const HttpRequest& req, Store& store, const HookContext& ctx);

}  // namespace sevu::hooks

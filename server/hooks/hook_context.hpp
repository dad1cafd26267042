// What every adapter needs besides the request and the store, and what it
// hands back.
#pragma once

#include <optional>
#include <utility>

#include "core/clock.hpp"
#include "hooks/hook_api.hpp"
#include "hooks/http_sessions.hpp"
#include "hooks/publish_gate.hpp"

namespace sevu::hooks {

struct HookContext {
  const Clock& clock;
  const HookConfig& config;
  HttpSessions& sessions;
};

// The answer, or a publish still to be decided off the store worker
// (publish_flow.hpp), which answers it in the adapter's wire format.
struct HookReply {
  HookReply(HttpResponse r) : response(std::move(r)) {}  // NOLINT: implicit on purpose
  HookReply(PublishCall p) : publish(std::move(p)) {}    // NOLINT
  std::optional<HttpResponse> response;
  std::optional<PublishCall> publish;
};

}  // namespace sevu::hooks

// What every adapter needs besides the request and the store.
#pragma once

#include "core/clock.hpp"
#include "hooks/hook_api.hpp"
#include "hooks/http_sessions.hpp"

namespace sevu::hooks {

struct HookContext {
  const Clock& clock;
  const HookConfig& config;
  HttpSessions& sessions;
};

}  // namespace sevu::hooks

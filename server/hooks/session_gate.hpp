// Viewing over HTTP (HLS/DASH via auth_request, MediaMTX reads): the first
// request of a session is a start; later ones within the idle window pass
// without spending a use or logging an attempt, but still re-check the ticket,
// so a revoked or expired ticket ends its sessions at once.
#pragma once

#include <cstdint>
#include <string>

#include "hooks/http_sessions.hpp"
#include "hooks/usher_gate.hpp"
#include "store/store.hpp"

namespace sevu::hooks {

GateResult view_in_session(Store& store, HttpSessions& sessions, const PlayAttempt& attempt,
                           int64_t now, const std::string& server);

}  // namespace sevu::hooks

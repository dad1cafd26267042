// The usher against the store for viewers: a start decided and recorded
// atomically, the cheaper re-check of a viewer who already started, and HTTP
// streaming, where each request is one or the other depending on the viewing
// session table. Run on a store worker; the service (usher_service.hpp) calls
// these, tests may too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"
#include "store/group_commit.hpp"
#include "usher_service/ticket_memory.hpp"
#include "usher_service/usher_request.hpp"
#include "usher_service/viewing_sessions.hpp"

namespace sevu::usher_service {

// The session a granted start opens (docs/sessions.md): its id in the store,
// and how long it may go unseen before it is over.
struct SessionPlan {
  // Empty: nothing will name the session again, and the start's attempt row
  // keeps it (docs/sessions.md, "Sessions without a name").
  std::string id;
  int64_t lapse = 0;
  bool kept_in_attempt() const { return id.empty(); }
};

// A start over a connection-based protocol (RTMP, SRT, WebRTC, RTSP...): named
// by the viewer and the media server's id of the connection, so its re-checks
// and close event find it; over for lack of contact after ttl seconds.
SessionPlan connection_session(const UsherRequest& req, int64_t ttl);

// Why a session ended, as stored, when a newer start on a full end_oldest
// ticket bumped it.
extern const char* const kBumpedReason;
// Why a session without a name ended at its viewer's generic `end`.
extern const char* const kViewerLeftReason;

// A start: inside one store transaction loads the ticket, decides, checks the
// viewer limit (ending the oldest sessions when the ticket says end_oldest:
// they are listed in the decision's ended_sessions), spends a use, stores any
// auto binding and opens the session `opens` on success, and logs the attempt
// (granted or not). Committed before this returns, so N concurrent starts on k
// uses grant exactly min(N, k), and on a limit m open at most m sessions.
// `server` is logged as the attempt's server. Inside a group commit, a
// refusal's row is also handed to `if_rolled_back`. When the ticket's rules
// refuse, what was read is remembered in `refusals` (when given), so that the
// same refusal can be repeated from memory (refuse_from_memory).
UsherDecision start_playback(Store& store, const UsherRequest& req, int64_t now,
                             const std::string& server, const SessionPlan& opens,
                             IfRolledBack* if_rolled_back = nullptr,
                             TicketMemory* refusals = nullptr);

// A start that what `refusals` remembers of its ticket already refuses: the
// refusal start_playback would give (the ticket's rules; a viewer limit needs
// the store), without a store read. nullopt when nothing fresh is remembered
// or the rules would grant: a grant is always the store's to give.
std::optional<UsherDecision> refuse_from_memory(const TicketMemory& refusals,
                                                const UsherRequest& req, int64_t now);

// A re-check: the same checks minus uses and binding; spends nothing and logs
// no attempt row.
UsherDecision recheck_playback(Store& store, const UsherRequest& req, int64_t now);

// A re-check of a connection (nginx-rtmp's update): the ticket re-checked, and
// its session, when the store holds it: an ended one is refused ("Session
// Ended"), a live one kept alive, or ended when the re-check refuses. A
// re-check that names no session (a generic check without `session`) does the
// same to its viewer's session without a name (docs/sessions.md), minus the
// end on a refusal.
UsherDecision recheck_connection(Store& store, const UsherRequest& req, int64_t now, int64_t ttl);

// One request of HTTP streaming: the first of a viewing session is a start;
// later ones within the idle window re-check without spending or logging, so a
// revoked or expired ticket ends its sessions at once, and an ended session is
// refused. A session this opens is closed again if the transaction fails; when
// it joins a caller's transaction (group commit), `if_rolled_back` receives the
// closing (and a refusal's row), for the caller's own failure.
UsherDecision view_in_session(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                              int64_t now, const std::string& server,
                              IfRolledBack& if_rolled_back);

// A request of a live session whose facts the session table remembers
// (viewing_sessions.hpp): re-checked from memory, with no store read, so it
// can be answered on the thread that asked. nullopt: nothing fresh to go on.
std::optional<UsherDecision> view_from_memory(ViewingSessions& sessions, const UsherRequest& req,
                                              int64_t now);

// True when req belongs to a viewing session that is live at now: its next
// request re-checks, it writes nothing.
bool in_live_session(const ViewingSessions& sessions, const UsherRequest& req, int64_t now);

// The viewer left (the media server's close event): its session ends, and the
// answer is the re-check's.
UsherDecision end_viewing(Store& store, ViewingSessions& sessions, const UsherRequest& req,
                          int64_t now, int64_t ttl);

}  // namespace sevu::usher_service

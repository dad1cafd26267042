// The one request every media-server adapter hands the usher service, and the
// one decision it gets back (docs/hooks.md). Adapters convert their wire format
// into these at the edge; nothing below them knows which media server asked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/http_message.hpp"
#include "core/records.hpp"

namespace sevu {

enum class UsherAction {
  kStart,           // a viewer starts: decide, spend a use, bind "auto", log the attempt
  kRecheck,         // a playing viewer is asked about again: spends nothing, logs nothing
  kView,            // one request of HTTP streaming (HLS/DASH, MediaMTX reads): a start
                    // when it opens a viewing session, a re-check while the session lives
  kEnd,             // the media server says the viewer left: its session closes; answered
                    // like a re-check
  kPublish,         // a publisher starts: a stream user's user+pass, logged
  kRecheckPublish,  // a running publisher is asked about again: verified, not logged
};

inline bool is_publish(UsherAction a) {
  return a == UsherAction::kPublish || a == UsherAction::kRecheckPublish;
}

// As the client sent them, when it sent them: a missing value is not an empty one
// (a publish row with a null password opens to a publisher who sends none).
struct Credentials {
  std::optional<std::string> key;   // a viewer's ticket key
  std::optional<std::string> user;  // a publisher's stream user
  std::optional<std::string> pass;  // the ticket's pass, or the stream user's password
};

struct UsherRequest {
  UsherAction action = UsherAction::kStart;
  Credentials credentials;
  std::string client_ip;  // the viewer's or publisher's address, as the media server saw it
  std::string app;
  std::string video;         // for a publish: the stream
  std::string media_server;  // which adapter asked ("nginx-rtmp", "srs", ...)
  std::string protocol;      // how the client came ("play", "read", ...): the attempt's appinst
  std::string session_id;    // the media server's own id of the connection, when it sends one
  std::string pageurl, refurl;
  // Runs a task on the asker's own thread (its HTTP connection's: the hook
  // routes copy HttpRequest::on_own_thread). A decision made on a store thread
  // is handed back through it, so that what hears the decision (its observers,
  // the adapter encoding the answer) runs there and not on the writer every
  // grant waits on (docs/performance.md, "Answers written without a hop,
  // grants answered on their own thread"). Empty: the decision is heard on
  // the thread that made it.
  OwnThread on_own_thread;
};

struct UsherDecision {
  enum class Status {
    kDecided,  // allowed and reason hold the answer
    kBusy,     // not decided: the store queue or the hash queue was full
    kFailed,   // not decided: an internal error (failure says which)
    kUnavailable,  // not decided: the store could not be reached (failure says why)
  };
  Status status = Status::kDecided;
  bool allowed = false;
  std::string reason;  // exactly as logged ("Success", "Token Revoked", "Publish Authorized", ...)
  // The ticket's uses after this call; only on a granted viewer, so that a wrong
  // pass learns nothing about the ticket.
  std::optional<int64_t> uses_left;
  // The ticket's expiry (unix seconds, ticket time); only on a granted viewer:
  // lets an adapter tell its media server when to ask again (OME's lifetime).
  std::optional<int64_t> expires;
  // The viewing session a granted start opened (docs/sessions.md); empty
  // otherwise: re-checks and in-session requests do not name theirs, which
  // would cost a digest on every HLS segment for no reader.
  std::string session_id;
  // Sessions this start ended to make room (a full ticket with when_full
  // end_oldest): the service tells media servers that can drop them.
  std::vector<ViewingSession> ended_sessions;
  int64_t cdn_id = 0;  // the account the decision belongs to (the ticket's, the stream user's); 0: none
  std::string failure;  // kFailed, kUnavailable: the cause, for the error log (never sent to a client)

  bool decided() const { return status == Status::kDecided; }
  // As metrics and the decision log name it: allowed, denied, busy,
  // unavailable or error.
  const char* result() const {
    if (status == Status::kBusy) return "busy";
    if (status == Status::kFailed) return "error";
    if (status == Status::kUnavailable) return "unavailable";
    return allowed ? "allowed" : "denied";
  }
};

// Hears the decision exactly once: on the request's own thread when it names
// one (UsherRequest::on_own_thread), else on whichever thread made it.
using DecisionDone = std::function<void(UsherDecision)>;

}  // namespace sevu

// Where a viewing session is kept (docs/sessions.md, "Sessions without a
// name"). A session a media server names (its id of the connection, an HTTP
// viewer's digest) has a viewing_sessions row of its own: it is looked up,
// touched and ended by that id. A session nothing will name again (a start
// without the media server's id of the connection) is kept in its start's
// attempt row instead (its id: attempt_session_id()): such a start writes one
// row, not two, and the writer, the one thread every grant waits on, spends
// less on it (docs/performance.md, "Sessions kept in their attempt rows"). Ending
// one writes a viewing_sessions row of its id with `ended` set, which from
// then on wins over the attempt row; so does touching one (its viewer's
// re-check), which writes the row seen then.
//
// Both backends keep sessions this way: this class puts the two places
// together once, over each backend's statements for each place. Those that
// look for an ended one's row spell its id in SQL (kAttemptSessionPrefix bound,
// then the attempt's id as 16 hex digits), as attempt_session_id() does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace sevu {

class KeptSessionsStore : public Store {
 public:
  std::optional<ViewingSession> viewing_session(const std::string& id) final;
  void touch_viewing_session(const std::string& id, int64_t last_seen) final;
  bool end_viewing_session(const std::string& id, int64_t now, const std::string& reason) final;
  std::vector<ViewingSession> live_viewing_sessions(int64_t cdn_id, const std::string& key,
                                                    int64_t now) final;
  std::optional<ViewingSession> unnamed_session_of(const Attempt& viewer, int64_t now) final;

 protected:
  // The viewing_sessions row of that id.
  virtual std::optional<ViewingSession> session_row(const std::string& id) = 0;
  // The row, not ended, was seen at last_seen (a later time wins); false when
  // there is none such.
  virtual bool touch_session_row(const std::string& id, int64_t last_seen) = 0;
  // Ends the row, not ended yet; false when there is none such.
  virtual bool end_session_row(const std::string& id, int64_t now, const std::string& reason) = 0;
  // Writes the row unless one of its id exists (then false): of two
  // instances ending one session at once, one ends it.
  virtual bool add_session_row(const ViewingSession& s) = 0;
  // The ticket's rows neither ended nor lapsed at now, oldest first.
  virtual std::vector<ViewingSession> live_session_rows(int64_t cdn_id, const std::string& key,
                                                        int64_t now) = 0;
  // The granted attempt row `attempt_id`, if it keeps a session.
  virtual std::optional<Attempt> attempt_keeping_session(int64_t attempt_id) = 0;
  // The ticket's attempt rows keeping a session not lapsed at now and not
  // ended (no viewing_sessions row of its id), oldest first.
  virtual std::vector<Attempt> attempts_keeping_live_sessions(int64_t cdn_id,
                                                              const std::string& key,
                                                              int64_t now) = 0;
  // The newest granted attempt row keeping a session not lapsed at now, ended
  // or not, whose account, key, pass, ip, app, video and media server are
  // viewer's.
  virtual std::optional<Attempt> newest_attempt_keeping_session_of(const Attempt& viewer,
                                                                   int64_t now) = 0;
  // The newest row of a session kept in an attempt row (an id of
  // attempt_session_id()'s form) not lapsed at now, ended or not, whose
  // account, key, ip, app, video and media server are viewer's.
  virtual std::optional<ViewingSession> newest_unnamed_session_row_of(const Attempt& viewer,
                                                                      int64_t now) = 0;

 private:
  // The granted attempt row keeping the session of this id, if it has the
  // form of attempt_session_id() and that row keeps one.
  std::optional<Attempt> attempt_keeping(const std::string& id);
};

// The session an attempt row keeps (Attempt::session_lapse > 0).
ViewingSession session_kept_in(const Attempt& a);

}  // namespace sevu

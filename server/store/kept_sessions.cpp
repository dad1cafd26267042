#include "store/kept_sessions.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace sevu {

ViewingSession session_kept_in(const Attempt& a) {
  ViewingSession s;
  s.id = attempt_session_id(a.id);
  s.cdn_id = a.cdn_id;
  s.key = a.key;
  s.ip = a.ip;
  s.app = a.app;
  s.video = a.video;
  s.media_server = a.media_server;
  s.protocol = a.protocol;
  s.started = s.last_seen = a.datetime;
  s.lapse = a.session_lapse;
  // Its start's row, as a session row's opened is (usher_service/playback.cpp):
  // sessions of one second, kept either way, in the order of their starts.
  s.opened = a.id;
  return s;
}

std::optional<Attempt> KeptSessionsStore::attempt_keeping(const std::string& id) {
  const std::optional<int64_t> attempt = attempt_of_session(id);
  if (!attempt) return std::nullopt;  // not an id of that form
  return attempt_keeping_session(*attempt);
}

std::optional<ViewingSession> KeptSessionsStore::viewing_session(const std::string& id) {
  if (auto row = session_row(id)) return row;
  const std::optional<Attempt> kept = attempt_keeping(id);
  if (!kept) return std::nullopt;
  return session_kept_in(*kept);
}

void KeptSessionsStore::touch_viewing_session(const std::string& id, int64_t last_seen) {
  if (touch_session_row(id, last_seen)) return;
  // No row: an attempt row's session gets one, seen then, which wins from now
  // on (a row that says the session ended is not touched, and stays).
  const std::optional<Attempt> kept = attempt_keeping(id);
  if (!kept) return;
  ViewingSession seen = session_kept_in(*kept);
  seen.last_seen = std::max(seen.last_seen, last_seen);
  add_session_row(seen);
}

bool KeptSessionsStore::end_viewing_session(const std::string& id, int64_t now,
                                            const std::string& reason) {
  if (end_session_row(id, now, reason)) return true;
  // No row to end: an attempt row's session, unless a row already says it ended.
  const std::optional<Attempt> kept = attempt_keeping(id);
  if (!kept) return false;
  ViewingSession ended = session_kept_in(*kept);
  ended.ended = now;
  ended.end_reason = reason;
  return add_session_row(ended);
}

std::optional<ViewingSession> KeptSessionsStore::unnamed_session_of(const Attempt& viewer,
                                                                    int64_t now) {
  // Its attempt row, unless it lapsed by its start (a row of its id, which
  // wins, may say it ended or was seen since), or its row alone, once a
  // re-check kept it alive past that.
  std::optional<ViewingSession> by_row = newest_unnamed_session_row_of(viewer, now);
  if (by_row) {  // rows hold no pass: the start's row says which one opened it
    const std::optional<Attempt> opened_by = attempt_keeping(by_row->id);
    if (!opened_by || opened_by->pass != viewer.pass) by_row.reset();
  }
  std::optional<ViewingSession> by_start;
  if (const std::optional<Attempt> kept = newest_attempt_keeping_session_of(viewer, now)) {
    by_start = session_row(attempt_session_id(kept->id));
    if (!by_start) by_start = session_kept_in(*kept);
  }
  if (!by_row || !by_start) return by_row ? by_row : by_start;
  // Ids of this form grow with their rows: the larger is the newer start.
  return by_row->id > by_start->id ? by_row : by_start;
}

std::vector<ViewingSession> KeptSessionsStore::live_viewing_sessions(int64_t cdn_id,
                                                                     const std::string& key,
                                                                     int64_t now) {
  std::vector<ViewingSession> rows = live_session_rows(cdn_id, key, now);
  std::vector<ViewingSession> kept;
  for (const Attempt& a : attempts_keeping_live_sessions(cdn_id, key, now))
    kept.push_back(session_kept_in(a));
  if (kept.empty()) return rows;
  std::vector<ViewingSession> all;
  all.reserve(rows.size() + kept.size());
  // Both lists are oldest first, by started, then by their start's attempt row.
  std::merge(std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()),
             std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()),
             std::back_inserter(all), [](const ViewingSession& a, const ViewingSession& b) {
               return std::pair(a.started, a.opened) < std::pair(b.started, b.opened);
             });
  return all;
}

}  // namespace sevu

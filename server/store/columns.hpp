// The column lists both backends select and insert, in the order their row
// readers (sqlite_store.cpp, pg_store.cpp) read them: one list per table, so
// the two backends cannot drift apart. "user" is quoted because PostgreSQL
// reserves the word; SQLite reads the quoted name the same.
#pragma once

#include <string>

namespace sevu::columns {

inline const std::string kAccount =
    "cdn_id, username, api_key, secret, active, max_stream_users, created";
inline const std::string kTicket =
    "id, cdn_id, key, pass, ip, video, app, uses, active, created, expires, used, max_viewers, "
    "when_full";
inline const std::string kAttempt =
    "id, cdn_id, datetime, key, pass, ip, video, app, appinst, pageurl, refurl, success, reason, "
    "server, session_lapse, media_server, protocol";
inline const std::string kStreamUser =
    "id, cdn_id, app, stream, \"user\", pass_hash, record, record_type, segment_type, "
    "segment_value, save_folder, playlist_count, playlist_timeout, enable_dvr, ga_key, created";
inline const std::string kViewingSession =
    "id, cdn_id, key, ip, app, video, media_server, protocol, client_ref, started, last_seen, "
    "lapse, ended, end_reason, opened";
inline const std::string kWriteReply =
    "cdn_id, signature, expires, held, code, message, payload, signed_at";

}  // namespace sevu::columns

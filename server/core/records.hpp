// The records the service keeps: accounts, tickets, attempts, stream users.
// Plain data shared by the rules (usher/), the store and the APIs; the store
// persists them. Times are unix seconds (UTC); 0 means "never".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu {

struct Account {
  int64_t cdn_id = 0;
  std::string username;  // [a-z0-9_]+
  std::string api_key;   // 32 chars [A-Z0-9]
  std::string secret;    // 64 lowercase hex chars, used as the HMAC key as-is
  bool active = true;
  int64_t max_stream_users = 50;
  int64_t created = 0;
};

struct Ticket {
  int64_t id = 0;  // row id, assigned by the store
  int64_t cdn_id = 0;
  std::string key;  // <prefix>.<14 hex>.<8 digits>, unique across accounts
  std::string pass;
  std::string ip;  // pipe list; "auto" entries are rewritten in place when they bind
  std::string video;
  std::string app;
  int64_t uses = 0;  // uses left
  bool active = true;
  int64_t created = 0;
  int64_t expires = 0;
  int64_t used = 0;  // last successful start, 0 = never
  // Viewer limits (docs/sessions.md): at most max_viewers live sessions at once
  // (0 = no limit); when_full says what a start beyond it does.
  int64_t max_viewers = 0;
  std::string when_full = "deny";  // "deny" | "end_oldest"
};

struct Attempt {
  int64_t id = 0;
  int64_t cdn_id = 0;  // owner of the ticket; 0 when the key matched no ticket
  int64_t datetime = 0;
  std::string key, pass, ip, video, app, appinst, pageurl, refurl;
  bool success = false;
  std::string reason;
  std::string server;  // name of the server that handled the attempt
  // A granted start whose session nothing will name again (no media-server id
  // of the connection) keeps that session here rather than in a row of its
  // own (docs/sessions.md, "Sessions without a name"): session_lapse > 0 says
  // it opened one, over after that many seconds. Not part of the upstream
  // attempt object.
  int64_t session_lapse = 0;
  std::string media_server, protocol;  // the session's, when it opened one
};

struct AttemptFilter {
  std::optional<std::string> key;
  std::optional<int64_t> since;  // datetime >= since
  std::optional<std::string> app, video, ip, pass;
  std::optional<bool> success;
  int64_t limit = 100;
  int64_t offset = 0;
};

// The console's attempt query (docs/console.md): a time range, equality
// filters and id paging, over one account (cdn_id), the attempts whose key
// matched no ticket (cdn_id 0) or, with no cdn_id, every account and those.
struct AttemptQuery {
  std::optional<int64_t> cdn_id;
  int64_t from = 0, to = 0;  // datetime in [from, to]
  std::optional<std::string> key, app, video, ip, reason;
  std::optional<bool> success;
  std::optional<int64_t> before_id;  // newest first, ids below it
  std::optional<int64_t> after_id;   // oldest first, ids above it (wins over before_id)
  int64_t limit = 100;
};

// Attempts of one time bucket with one outcome and reason (Store::attempt_timeline).
struct AttemptBucket {
  int64_t start = 0;  // the bucket's first second
  bool success = false;
  std::string reason;
  int64_t count = 0;
};

// Equality filters on plain ticket fields (v2 list).
struct TicketFilter {
  std::optional<std::string> key, pass, ip, video, app;
  std::optional<int64_t> uses;
  std::optional<bool> active;
  std::optional<int64_t> id;
  std::optional<int64_t> created, expires, used;  // unix seconds, exact
  int64_t limit = 100;
  int64_t offset = 0;
};

// A viewer's session (docs/sessions.md): opened by a granted start, kept alive
// by re-checks and requests, over when ended or unseen for `lapse` seconds.
// Times are ticket time, unix seconds.
struct ViewingSession {
  // A hex digest (usher_service/viewing_sessions.hpp): no credential in it; or,
  // for a session kept in its start's attempt row, attempt_session_id().
  std::string id;
  int64_t cdn_id = 0;
  std::string key, ip, app, video;
  std::string media_server, protocol;
  std::string client_ref;  // the media server's own id of the connection, when it sent one
  int64_t started = 0, last_seen = 0;
  int64_t lapse = 0;  // seconds unseen after which it is over
  int64_t ended = 0;  // when it was ended; 0: not ended
  std::string end_reason;
  // The id of the attempt row of the start that opened it: orders the
  // sessions of one second (started is whole seconds), kept in a row of their
  // own or in that attempt row, so the oldest is known exactly. Rows written
  // before 2026-12-07 hold wall-clock nanoseconds instead (they sort after).
  int64_t opened = 0;
};

// The id of the session kept in attempt row `attempt_id`, and back (docs/
// sessions.md, "Sessions without a name"): 16 zeros, then the row's number in
// 16 lowercase hex digits. Hex like every session id; no digest (64 digits)
// and no clock-led id of schema 0005-0009 (nanoseconds since 1970 first)
// begins with 16 zeros. The stores' SQL spells it the same way, from this
// prefix (store/kept_sessions.hpp).
inline constexpr std::string_view kAttemptSessionPrefix = "0000000000000000";
std::string attempt_session_id(int64_t attempt_id);
std::optional<int64_t> attempt_of_session(const std::string& session_id);

// A console login (docs/console.md): only the SHA-256 of its cookie token is
// kept. cdn_id 0 is the operator.
struct ConsoleSession {
  std::string token_hash;  // lowercase hex SHA-256 of the cookie token
  int64_t cdn_id = 0;
  int64_t created = 0, expires = 0;  // ticket time (Clock::now)
};

struct StreamUser {
  int64_t id = 0;
  int64_t cdn_id = 0;
  std::string app;
  std::string stream;                    // "*" = every stream of the app
  std::optional<std::string> user;       // nullopt together with pass = publish freely
  std::optional<std::string> pass_hash;  // "$pbkdf2-sha256$<iter>$<salt b64>$<hash b64>"
  bool record = false;
  std::string record_type;   // "stream" | "event" | ""
  std::string segment_type;  // "duration" | "size" | "schedule" | "disabled" | ""
  std::string segment_value;
  std::string save_folder;
  int64_t playlist_count = 4;
  int64_t playlist_timeout = 600;
  bool enable_dvr = true;
  std::string ga_key;
  int64_t created = 0;
};

}  // namespace sevu

// The first reply to a signed legacy write command, kept until `expires` so that
// a repeat of the same signed request is answered with it rather than run again.
struct WriteReply {
  int64_t cdn_id = 0;
  std::string signature;  // as the request carried it
  int64_t signed_at = 0;  // the request's own timestamp; with cdn_id and signature, the key
  int64_t expires = 0;    // signed_at + the window (wall clock)
  bool held = true;       // false: only the signature is remembered, not the reply
  int64_t code = 0;
  std::string message;
  std::string payload;  // JSON object text of the reply's payload members
};

// The one interface every API reaches the data through. A Store is a single
// connection used by one thread at a time (the store pool hands each worker its
// own); methods block on disk and must never run on an io thread.
// Every method that takes a cdn_id scopes to that account: another account's
// rows are invisible, exactly as if they did not exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"

namespace sevu {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// That the seed `name` ran, at `created` (Store::mark_seeded).
struct SeedMark {
  std::string name;
  int64_t created = 0;
};

// The largest ids a store has handed out (Store::ids_handed_out).
struct IdsHandedOut {
  int64_t tickets = 0;
  int64_t stream_users = 0;
};

// The store cannot answer now, though the same request may succeed if tried
// again: its database is away or restarting, or asked for the transaction to
// be retried (a deadlock between instances, a timeout). Nothing of the call
// was written. Answered as "try again" (hooks and v2 503, legacy code 1000),
// never as an internal error (docs/operations.md).
struct StoreUnavailable : StoreError {
  using StoreError::StoreError;
};

// A kept reply as write_reply is asked for it. The signature views memory
// its caller keeps alive.
struct ReplyAsked {
  int64_t cdn_id = 0;
  int64_t signed_at = 0;
  std::string_view signature;
};

// What a group commit's batch will ask of the store (Store::read_ahead).
struct BatchReads {
  std::vector<std::string_view> tickets;  // ticket_by_key's keys, in any order
  std::size_t attempt_rows = 0;           // insert_attempt and hold_attempt rows, at most
  std::vector<ReplyAsked> replies;        // write_reply's lookups
  std::size_t new_tickets = 0;            // insert_ticket's rows, at most
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs body inside one write transaction (BEGIN IMMEDIATE .. COMMIT on
  // SQLite; on PostgreSQL, where other instances write at the same time, the
  // reads below that say so lock what they read); rolls back and rethrows if
  // body throws, and throws StoreError when the commit fails. Nested calls join
  // the outer transaction.
  virtual void transaction(const std::function<void()>& body) = 0;
  // Inside a transaction: runs body as a part of it that can fail alone
  // (SAVEPOINT .. RELEASE); if body throws, only its own changes are rolled
  // back and the exception is rethrown, the outer transaction stays open. Group
  // commit runs each decision of a batch so. Outside a transaction: transaction().
  virtual void savepoint(const std::function<void()>& body) = 0;
  // Runs body, which only reads, as one read: on SQLite one read transaction
  // (BEGIN .. COMMIT), so its statements share one snapshot and take the
  // log's read locks once instead of once each (a v2 GET's account and ticket:
  // docs/performance.md); on PostgreSQL the statements run as they come, each
  // its own snapshot, and share only their account reads. A write inside is
  // an error. Inside a transaction: body joins it.
  // StorePool::submit_read runs the reads queued together in one call.
  virtual void read_together(const std::function<void()>& body) = 0;

  // Accounts
  virtual std::optional<Account> account(int64_t cdn_id) = 0;
  // The default scans accounts(); backends override it with an indexed lookup.
  virtual std::optional<Account> account_by_username(const std::string& username) {
    for (auto& a : accounts())
      if (a.username == username) return a;
    return std::nullopt;
  }
  virtual std::vector<Account> accounts() = 0;
  virtual bool insert_account(const Account& a) = 0;  // false if cdn_id or username taken
  // The account's web console logins end with its old secret, which made them.
  virtual bool set_account_secret(int64_t cdn_id, const std::string& secret) = 0;
  virtual bool set_account_active(int64_t cdn_id, bool active) = 0;
  virtual int64_t next_cdn_id() = 0;  // max(cdn_id)+1, at least 1000

  // Tickets
  // false on key collision (but see read_ahead's new_tickets); sets t.id.
  virtual bool insert_ticket(Ticket& t) = 0;
  // Inside transaction() the ticket stays locked until it ends, so a
  // read-decide-update of its uses is exact across instances.
  virtual std::optional<Ticket> ticket(int64_t cdn_id, const std::string& key) = 0;
  virtual std::optional<Ticket> ticket_by_key(const std::string& key) = 0;  // any account (usher)
  // Inside a transaction, before a group commit's batch of writes runs: what
  // they will ask of the store (BatchReads). A store whose every statement is
  // a round trip may read it all now, locked as each read would lock it, and
  // answer those reads from what it read, its own writes included; and it may
  // number the batch's new rows ahead, so that insert_attempt and
  // insert_ticket can hold a row as hold_attempt does and still answer its id.
  // What a write sees is what it would have seen had its reads run at the
  // batch's start, when its request had already come: a ticket made since
  // then is not found. Ids may differ: a row may be numbered before one
  // written earlier by another connection, and numbers taken and not used are
  // skipped. On PostgreSQL one round trip for a batch's reads and ids instead
  // of two a write (docs/performance.md, "A batch's tickets read together",
  // "A batch's signed writes read together"); SQLite ignores it. With
  // new_tickets, insert_ticket may hold a row whose key turns out taken: it
  // answers true, and the transaction fails later. Ask for them only when
  // the whole batch can run again without them (the group commit's run in
  // savepoints reads nothing ahead).
  virtual void read_ahead(const BatchReads& batch) { (void)batch; }
  // Whether read_ahead does anything: if not, a batch need not gather what
  // it would pass (SQLite, whose group commit runs on every start).
  virtual bool gains_from_read_ahead() const { return false; }
  virtual std::vector<Ticket> tickets(int64_t cdn_id, const TicketFilter& f) = 0;
  // Writes the mutable state of a ticket as read from this store: ip (auto
  // bindings), uses, active, expires, used, max_viewers, when_full. Matches on
  // its id (the row, found without a key index search: a start's write) and on
  // cdn_id + key (a tenant's guard). Returns false if no such ticket: never
  // read, deleted since, or another account's.
  virtual bool update_ticket(const Ticket& t) = 0;
  virtual bool delete_ticket(int64_t cdn_id, const std::string& key) = 0;
  // The console's ticket search, newest first: every ticket of the account when
  // q is empty, else those whose key begins with q or whose app or video is q.
  virtual std::vector<Ticket> search_tickets(int64_t cdn_id, const std::string& q, int64_t offset,
                                             int64_t limit) = 0;
  virtual int64_t count_tickets_matching(int64_t cdn_id, const std::string& q) = 0;

  // Attempts; listings are oldest first.
  virtual int64_t insert_attempt(const Attempt& a) = 0;
  // An attempt whose row id its caller does not need (a refusal's, a
  // publish's). Its row belongs to the open transaction as insert_attempt's
  // does, but the store may hold it back and write it with others before its
  // next statement of any kind or its COMMIT; a rollback, or an undone
  // savepoint it was held in, forgets it. On PostgreSQL that is one round trip
  // for many rows instead of one a row (docs/performance.md, "Attempt rows
  // sent many to a round trip").
  virtual void hold_attempt(const Attempt& a) { insert_attempt(a); }
  // Writes what hold_attempt held back in the open transaction now, so that a
  // failure to write it is this call's rather than a later statement's or the
  // COMMIT's (the group commit calls it before its COMMIT). A savepoint writes
  // its part's held rows inside the part.
  virtual void write_held() {}
  virtual std::vector<Attempt> attempts(int64_t cdn_id, const AttemptFilter& f) = 0;
  virtual int64_t count_attempts(int64_t cdn_id, const AttemptFilter& f) = 0;
  // Every account's attempts (those whose key matched no ticket have cdn_id 0)
  // with a row id above after_id, by id: what `sevu-server attempts` follows.
  virtual std::vector<Attempt> attempts_after(int64_t after_id,
                                              const std::optional<int64_t>& cdn_id,
                                              const std::optional<std::string>& key,
                                              int64_t limit) = 0;

  // The console (docs/console.md). find_attempts: with q.after_id oldest first
  // (the live poll), else newest first (by id). attempt_timeline: counts per
  // bucket of `step` seconds from `start` (a bucket begins at start + k*step),
  // outcome and reason, grouped by the database; both read the range
  // [q.from, q.to] through attempts_by_time, one account at a time.
  virtual std::vector<Attempt> find_attempts(const AttemptQuery& q) = 0;
  virtual std::vector<AttemptBucket> attempt_timeline(const AttemptQuery& q, int64_t start,
                                                      int64_t step) = 0;

  // Stream users (publish credentials + record/DVR settings)
  virtual bool insert_stream_user(StreamUser& u) = 0;  // sets u.id
  virtual std::optional<StreamUser> stream_user(int64_t cdn_id, int64_t id) = 0;
  virtual std::vector<StreamUser> stream_users(int64_t cdn_id,
                                               const std::optional<std::string>& app,
                                               const std::optional<std::string>& stream) = 0;
  // Candidates for a publish on app/stream, any account: exact stream and "*" rows.
  virtual std::vector<StreamUser> publish_candidates(const std::string& app,
                                                     const std::string& stream) = 0;
  virtual bool update_stream_user(const StreamUser& u) = 0;
  virtual bool delete_stream_user(int64_t cdn_id, int64_t id) = 0;
  // Inside transaction() the account is locked until it ends, so a limit
  // checked against this count holds for the insert after it.
  virtual int64_t count_stream_users(int64_t cdn_id) = 0;

  // Replies to signed legacy write commands (docs/legacy-api.md, repeated
  // requests). Look one up, run the command and insert its reply inside one
  // transaction, so that two identical requests at once run the command once
  // (inside transaction(), write_reply first waits for any other transaction
  // on the same cdn_id and signature, on any instance, to end). A reply is
  // found by the request's own timestamp too (signed_at), which a repeat
  // carries unchanged: PostgreSQL keeps replies in that order, so that new ones
  // share pages (docs/performance.md, "Kept replies in time order"); SQLite
  // finds them through memory ("Kept replies found in memory").
  virtual std::optional<WriteReply> write_reply(int64_t cdn_id, int64_t signed_at,
                                                const std::string& signature) = 0;
  // Throws StoreError if present; inside a transaction the PostgreSQL store
  // sends it with its next statement, which throws it then (or its COMMIT
  // fails): the transaction fails either way.
  virtual void insert_write_reply(const WriteReply& r) = 0;
  // Deletes at most `limit` replies to requests signed before `before`, oldest
  // first (bounded work per call); returns how many went. The caller passes
  // the oldest timestamp the window still accepts: a repeat of an older
  // request is refused by its timestamp before its reply is looked for.
  // Found by the requests' second, the key replies are kept in, so that no
  // index over their expiry is written with every reply (docs/performance.md,
  // "Kept replies forgotten by their second"). Housekeeping, like
  // delete_idle_viewing_sessions: a backend may skip a call for the same
  // `before` as a call of its own that found nothing, since only requests
  // signed within the window are kept.
  virtual int64_t delete_write_replies_signed_before(int64_t before, int64_t limit) = 0;

  // Viewing sessions (docs/sessions.md), kept in the store: limits are counted
  // here, inside the start's transaction, an end made on one instance is seen
  // by all, and a viewer whose next request reaches another instance (or this
  // one after a restart) continues instead of starting again.
  virtual std::optional<ViewingSession> viewing_session(const std::string& id) = 0;
  // Opens the session, or opens it anew over an older row of the same id.
  virtual void save_viewing_session(const ViewingSession& s) = 0;
  // The session, not ended, was seen at last_seen; a later time wins.
  virtual void touch_viewing_session(const std::string& id, int64_t last_seen) = 0;
  // Ends the session at `now` for `reason`; false when it was already ended or
  // is unknown.
  virtual bool end_viewing_session(const std::string& id, int64_t now,
                                   const std::string& reason) = 0;
  // The session is over and forgotten (its viewer left, or a re-check refused
  // it): unlike an ended one, its viewer's next request may start anew.
  virtual void delete_viewing_session(const std::string& id) = 0;
  // The ticket's sessions neither ended nor lapsed at now, oldest first.
  virtual std::vector<ViewingSession> live_viewing_sessions(int64_t cdn_id, const std::string& key,
                                                            int64_t now) = 0;
  // The newest session without a name (docs/sessions.md) that the viewer of
  // `viewer` opened, ended or not, unless it lapsed before now. `viewer` is an
  // attempt row as that viewer's start logs it; its session is the one kept in
  // a granted row of the same account, key, pass, ip, app, video and media
  // server. A re-check that names no session finds its viewer's this way.
  virtual std::optional<ViewingSession> unnamed_session_of(const Attempt& viewer, int64_t now) = 0;
  // Deletes at most `limit` sessions whose lapse ran out before `before`
  // (last_seen + lapse < before), ended or not, oldest first (bounded work per
  // call); returns how many went. Housekeeping: a backend may skip a call for
  // the same `before` as a call of its own that found nothing, since sessions
  // are stored and touched at the present, never in the past.
  virtual int64_t delete_idle_viewing_sessions(int64_t before, int64_t limit) = 0;

  // Console logins (docs/console.md), by the hash of their token.
  virtual void insert_console_session(const ConsoleSession& s) = 0;
  virtual std::optional<ConsoleSession> console_session(const std::string& token_hash) = 0;
  virtual bool delete_console_session(const std::string& token_hash) = 0;  // false: none
  // Deletes at most `limit` sessions whose expires is before now; returns how many went.
  virtual int64_t delete_expired_console_sessions(int64_t now, int64_t limit) = 0;

  // Staging (POST /test/reset): every ticket, attempt, stream user, viewing
  // session and remembered write reply gone, in one transaction; accounts stay.
  virtual void reset_data() = 0;

  // Records that the seed `name` ran; false when it had run before (so the
  // caller must not seed again). Run it in the seed's transaction.
  virtual bool mark_seeded(const std::string& name, int64_t now) = 0;

  // Online backup of the whole store to a new SQLite file at dest, one
  // moment of it (never overwrites: StoreError when dest exists). SQLite
  // copies its pages; PostgreSQL copies its rows (store_copy.hpp).
  virtual void backup_to(const std::string& dest) = 0;

  // Moving a deployment to another store (sevu-server migrate-store,
  // docs/operations.md). What no method above lists: every remembered write
  // reply and seed mark (mark_seeded copies a mark, its time as `now`).
  virtual std::vector<WriteReply> write_replies() = 0;
  virtual std::vector<SeedMark> seed_marks() = 0;
  // Inserts a row copied from another store as it is, id included (the inserts
  // above draw a fresh id); ids drawn later still come after every copied one.
  // Throws StoreError when the id or a unique value is taken.
  virtual void copy_in(const Ticket& t) = 0;
  virtual void copy_in(const Attempt& a) = 0;
  virtual void copy_in(const StreamUser& u) = 0;
  // The largest ticket and stream-user ids ever handed out, deleted rows'
  // included, and the move of a store's counters past them (never back): a
  // copy carries them over, so no deleted ticket's id (shown by v2) comes back.
  virtual IdsHandedOut ids_handed_out() = 0;
  virtual void hand_out_ids_after(const IdsHandedOut& ids) = 0;
};

// Inserts t under the first key draw_key() yields that no ticket has yet (keys
// are random, so a collision is rare and a second draw ends it). Sets t.key and
// t.id; false when every draw collided.
template <class DrawKey>
bool insert_with_fresh_key(Store& store, Ticket& t, DrawKey draw_key, int draws = 8) {
  for (int i = 0; i < draws; ++i) {
    t.key = draw_key();
    if (store.insert_ticket(t)) return true;
  }
  return false;
}

// Ends each of `sessions` not ended meanwhile at now, for reason, inside the
// caller's transaction, and returns those it ended, marked so: the caller
// hands them on (the usher forgets them, media servers with an API drop their
// viewers) once that transaction has committed.
inline std::vector<ViewingSession> end_viewing_sessions(Store& store,
                                                        std::vector<ViewingSession> sessions,
                                                        int64_t now, const std::string& reason) {
  std::vector<ViewingSession> ended;
  for (ViewingSession& s : sessions) {
    if (!store.end_viewing_session(s.id, now, reason)) continue;
    s.ended = now;
    s.end_reason = reason;
    ended.push_back(std::move(s));
  }
  return ended;
}

// Stored as the end reason of the sessions a revoke ended.
inline constexpr const char* kTicketRevokedReason = "its ticket was revoked";

// A revoke ends the ticket's live sessions at once (docs/sessions.md, "Ending
// a viewer"), whichever API revoked it: re-activated later, the ticket does
// not bring them back. Inside the revoke's transaction; returns what it ended.
inline std::vector<ViewingSession> end_sessions_of_revoked(Store& store, int64_t cdn_id,
                                                           const std::string& key, int64_t now) {
  return end_viewing_sessions(store, store.live_viewing_sessions(cdn_id, key, now), now,
                              kTicketRevokedReason);
}

// What opening a database file that does not exist does.
enum class OpenMode {
  kCreate,     // create it, readable by its owner only (0600); its directory must exist
  kMustExist,  // refuse with StoreError and create nothing (the admin subcommands)
  // Like kMustExist, and the connection only reads: no migration. Files left
  // group- or world-readable are tightened all the same (the side files SQLite
  // makes for a reader take the database's mode). A schema older or newer
  // than this binary's is refused.
  kReadOnly,
  // Read-only for a look that must leave no trace (check_sqlite_database):
  // without a -wal file (no server has the database open) the file is read
  // as immutable, so SQLite creates no -wal/-shm beside it.
  kInspect,
};

// Opens the SQLite database at path, applies pending migrations from schema/,
// and returns a connection. The file and its -wal/-shm are made owner-only
// (0600) when they are not. Throws StoreError with a clear message when the
// file is missing (kMustExist) or its schema is newer than this binary knows.
std::unique_ptr<Store> open_sqlite_store(const std::string& path,
                                         OpenMode mode = OpenMode::kCreate);

// What opening path with kCreate would meet, checked without changing
// anything (`serve --check-config`): an existing file must be an SQLite
// database whose schema this binary knows or can migrate; a missing one needs
// a directory that exists or can be made. Throws StoreError naming the problem.
void check_sqlite_database(const std::string& path);

// True for a libpq URI (postgresql:// or postgres://): --db names a PostgreSQL
// database instead of an SQLite file.
bool is_postgres_uri(const std::string& db);

// Connects to the PostgreSQL database at uri, applies pending migrations from
// schema/postgres/ (kCreate and kMustExist alike: the database itself is made
// by its operator) or, read-only (kReadOnly, kInspect), checks the schema
// version as open_sqlite_store does. Throws StoreError.
std::unique_ptr<Store> open_postgres_store(const std::string& uri,
                                           OpenMode mode = OpenMode::kCreate);

// `serve --check-config` on PostgreSQL: connects and checks the schema version,
// changing nothing.
void check_postgres_database(const std::string& uri);

// open_postgres_store for a URI, open_sqlite_store for a path.
std::unique_ptr<Store> open_store(const std::string& db, OpenMode mode = OpenMode::kCreate);
void check_database(const std::string& db);

// db as it may be shown in logs and messages: a URI's password replaced by
// "***" (in the user info and as a password= parameter); a path unchanged.
std::string db_display_name(const std::string& db);

}  // namespace sevu

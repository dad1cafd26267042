// The SQLite implementation of Store: one connection, every statement prepared
// once in the constructor and reused, every value bound.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>

#include "store/account_memo.hpp"
#include "store/attempt_tally.hpp"
#include "store/columns.hpp"
#include "store/connection.hpp"
#include "store/forget_probe.hpp"
#include "store/kept_reply_index.hpp"
#include "store/kept_sessions.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "store/store.hpp"
#include "store/transaction_depth.hpp"

namespace sevu {
namespace {

using sqlite::Statement;

// Attempt filters other than cdn_id and key, as ?3..?8. "since" is always
// bound (INT64_MIN when absent) so that it stays an index range.
const std::string kAttemptFilters =
    " AND datetime >= ?3 AND (?4 IS NULL OR app = ?4) AND (?5 IS NULL OR video = ?5)"
    " AND (?6 IS NULL OR ip = ?6) AND (?7 IS NULL OR pass = ?7)"
    " AND (?8 IS NULL OR success = ?8)";

// The console's attempt scope and filters as ?1..?9 (store.hpp, find_attempts):
// the scope is a set of cdn_ids, each a range of attempts_by_time (cdn_id,
// datetime), so no index is needed beyond it: one account (?1), or with ?1
// NULL every account and 0 (keys that matched no ticket).
const std::string kConsoleAttempts =
    " FROM attempts INDEXED BY attempts_by_time"
    " WHERE cdn_id IN (SELECT ?1 WHERE ?1 IS NOT NULL"
    " UNION ALL SELECT cdn_id FROM accounts WHERE ?1 IS NULL"
    " UNION ALL SELECT 0 WHERE ?1 IS NULL)"
    " AND datetime >= ?2 AND datetime <= ?3 AND (?4 IS NULL OR key = ?4)"
    " AND (?5 IS NULL OR app = ?5) AND (?6 IS NULL OR video = ?6) AND (?7 IS NULL OR ip = ?7)"
    " AND (?8 IS NULL OR reason = ?8) AND (?9 IS NULL OR success = ?9)";

// A ticket search term (store.hpp, search_tickets) as ?2.
const std::string kTicketSearch =
    " FROM tickets WHERE cdn_id = ?1 AND (?2 = '' OR substr(key, 1, length(?2)) = ?2"
    " OR app = ?2 OR video = ?2)";

Account read_account(const Statement::Run& row) {
  Account a;
  a.cdn_id = row.int64(0);
  a.username = row.text(1);
  a.api_key = row.text(2);
  a.secret = row.text(3);
  a.active = row.boolean(4);
  a.max_stream_users = row.int64(5);
  a.created = row.int64(6);
  return a;
}

Ticket read_ticket(const Statement::Run& row) {
  Ticket t;
  t.id = row.int64(0);
  t.cdn_id = row.int64(1);
  t.key = row.text(2);
  t.pass = row.text(3);
  t.ip = row.text(4);
  t.video = row.text(5);
  t.app = row.text(6);
  t.uses = row.int64(7);
  t.active = row.boolean(8);
  t.created = row.int64(9);
  t.expires = row.int64(10);
  t.used = row.int64(11);
  t.max_viewers = row.int64(12);
  t.when_full = row.text(13);
  return t;
}

ViewingSession read_viewing_session(const Statement::Run& row) {
  ViewingSession s;
  s.id = row.text(0);
  s.cdn_id = row.int64(1);
  s.key = row.text(2);
  s.ip = row.text(3);
  s.app = row.text(4);
  s.video = row.text(5);
  s.media_server = row.text(6);
  s.protocol = row.text(7);
  s.client_ref = row.text(8);
  s.started = row.int64(9);
  s.last_seen = row.int64(10);
  s.lapse = row.int64(11);
  s.ended = row.int64(12);
  s.end_reason = row.text(13);
  s.opened = row.int64(14);
  return s;
}

Attempt read_attempt(const Statement::Run& row) {
  Attempt a;
  a.id = row.int64(0);
  a.cdn_id = row.int64(1);
  a.datetime = row.int64(2);
  a.key = row.text(3);
  a.pass = row.text(4);
  a.ip = row.text(5);
  a.video = row.text(6);
  a.app = row.text(7);
  a.appinst = row.text(8);
  a.pageurl = row.text(9);
  a.refurl = row.text(10);
  a.success = row.boolean(11);
  a.reason = row.text(12);
  a.server = row.text(13);
  a.session_lapse = row.int64(14);
  a.media_server = row.text(15);
  a.protocol = row.text(16);
  return a;
}

StreamUser read_stream_user(const Statement::Run& row) {
  StreamUser u;
  u.id = row.int64(0);
  u.cdn_id = row.int64(1);
  u.app = row.text(2);
  u.stream = row.text(3);
  u.user = row.optional_text(4);
  u.pass_hash = row.optional_text(5);
  u.record = row.boolean(6);
  u.record_type = row.text(7);
  u.segment_type = row.text(8);
  u.segment_value = row.text(9);
  u.save_folder = row.text(10);
  u.playlist_count = row.int64(11);
  u.playlist_timeout = row.int64(12);
  u.enable_dvr = row.boolean(13);
  u.ga_key = row.text(14);
  u.created = row.int64(15);
  return u;
}

WriteReply read_write_reply(const Statement::Run& row) {
  WriteReply r;
  r.cdn_id = row.int64(0);
  r.signature = row.text(1);
  r.expires = row.int64(2);
  r.held = row.boolean(3);
  r.code = row.int64(4);
  r.message = row.text(5);
  r.payload = row.text(6);
  r.signed_at = row.int64(7);
  return r;
}

// Binds the stream user's settable fields as ?3..?16 (insert and update share them).
void bind_stream_user_fields(Statement::Run& run, const StreamUser& u) {
  run.bind(3, u.app)
      .bind(4, u.stream)
      .bind(5, u.user)
      .bind(6, u.pass_hash)
      .bind(7, u.record)
      .bind(8, u.record_type)
      .bind(9, u.segment_type)
      .bind(10, u.segment_value)
      .bind(11, u.save_folder)
      .bind(12, u.playlist_count)
      .bind(13, u.playlist_timeout)
      .bind(14, u.enable_dvr)
      .bind(15, u.ga_key);
}

bool is_unique_violation(int rc) {
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

// A negative limit would mean "no limit" to SQLite; the store never lists unbounded.
int64_t not_negative(int64_t n) {
  return std::max<int64_t>(n, 0);
}

template <typename Row, typename Reader>
std::vector<Row> collect(Statement::Run& run, Reader read) {
  std::vector<Row> rows;
  while (run.next()) rows.push_back(read(run));
  return rows;
}

// The nearest existing ancestor directory of path's parent must be writable,
// as serve makes the missing directories and the file there.
void check_creatable(const std::string& path) {
  std::string dir = path;
  do {
    const auto slash = dir.find_last_of('/');
    dir = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        throw StoreError("cannot create database " + path + ": " + dir + " is not a directory");
      if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw StoreError("cannot create database " + path + ": " + dir + ": " +
                         std::strerror(errno));
      return;
    }
  } while (dir != "." && dir != "/");
  throw StoreError("cannot create database " + path + ": no directory of it exists");
}

// The file behind a connection, "" for an in-memory database.
std::string database_file(sqlite3* db) {
  const char* name = sqlite3_db_filename(db, "main");
  return name ? name : "";
}

// Shared by every connection of the process (in practice, to one database).
std::mutex& process_writer_lock() {
  static std::mutex lock;
  return lock;
}

// Attempt rows held back to be written this many to a statement. A row costs
// a statement's start, its bindings and a seek down the table and each of its
// three indexes; written with others it shares all but the bindings: on this
// SQLite, CPU per row 3.8-4.2 us one to a statement, 3.2 four, 2.8 eight,
// 2.5-2.6 sixteen, 2.3 thirty-two (docs/performance.md, "Attempt rows written
// several to a statement"). Sixteen keeps most of that with 272 parameters,
// far below SQLite's limit, and a refusals' batch (up to 128 owed rows) in
// whole statements.
constexpr std::size_t kAttemptsPerInsert = 16;

class SqliteStore final : public KeptSessionsStore, private sqlite::HeldWrites {
 public:
  explicit SqliteStore(sqlite::Connection connection) : conn_(std::move(connection)) {}

  void transaction(const std::function<void()>& body) override {
    if (depth_.open()) return depth_.join(body);
    // One writer at a time in this process, queued on a mutex: SQLite makes a
    // second writer wait in its busy handler, which sleeps 1, 2, 5, 10 ms ...
    // between tries, so two store workers writing at once cost each other tens
    // of milliseconds (legacy sevu.request ran at 0.03x nginx). Other processes
    // (the admin subcommands) still meet the busy timeout.
    std::lock_guard<std::mutex> one_writer(process_writer_lock());
    accounts_read_.forget();  // what another transaction read may have changed since
    depth_.outermost(
        body, [&] { begin_.run().finish(); },
        [&] {
          write_tally();
          commit_.run().finish();
          publish_kept_replies();
        },
        [&] {
          tally_.clear();
          replies_added_.clear();
          replies_reset_ = false;
          replies_gone_before_ = 0;
          rollback_quietly();
        });
  }

  // Deferred: the read transaction begins with the first statement and holds
  // no write lock. Not counted in depth_, so a transaction() inside fails loudly
  // (SQLite refuses a BEGIN within a transaction) instead of writing on a
  // snapshot that may be stale.
  // Inside an open read (StorePool runs queued reads together, and each of
  // them reads together again), body joins it.
  void read_together(const std::function<void()>& body) override {
    if (depth_.open()) return depth_.join(body);
    if (reading_) return body();
    accounts_read_.forget();  // read before this snapshot
    begin_read_.run().finish();
    reading_ = true;
    try {
      body();
    } catch (...) {
      reading_ = false;
      rollback_quietly();
      throw;
    }
    reading_ = false;
    // A failing statement may have ended the transaction already (SQLite
    // rolls back on some errors); the reads it served stand.
    if (!transaction_ended()) commit_.run().finish();
  }

  void savepoint(const std::function<void()>& body) override {
    if (!depth_.open()) return transaction(body);
    // SQLite ended the transaction on an earlier failure (a full disk, say):
    // a SAVEPOINT now would begin a transaction of its own, and its RELEASE
    // commit this part alone (a batch's writes run again each in a part go on
    // after one fails). The part fails instead, as the transaction's COMMIT
    // will.
    if (transaction_ended()) throw StoreError("the transaction ended with an earlier failure");
    const std::size_t counted_before = tally_.mark();
    const std::size_t replies_before = replies_added_.mark();
    const bool reset_before = replies_reset_;
    const int64_t gone_before = replies_gone_before_;
    // The part's held rows are written inside it, so that a failure to write
    // them undoes the part, as any failure of its own (SAVEPOINT itself has
    // the rows held before it written first).
    const std::function<void()> body_and_rows = [&] {
      body();
      if (holding_) write_held();
    };
    depth_.part(
        body_and_rows, [&] { savepoint_.run().finish(); }, [&] { release_.run().finish(); },
        [&] {
          tally_.undo_to(counted_before);
          replies_added_.undo_to(replies_before);
          replies_reset_ = reset_before;  // its deletes are undone too
          replies_gone_before_ = gone_before;
          rollback_savepoint_quietly();
        });
  }

  // Within one transaction an account reads the same each time: a batch's
  // decisions, and the v2 GETs of one read group (StorePool::submit_read),
  // read it once.
  bool one_snapshot() const { return depth_.open() || reading_; }

  std::optional<Account> account(int64_t cdn_id) override {
    if (const auto* kept = one_snapshot() ? accounts_read_.find(cdn_id) : nullptr) return *kept;
    auto run = account_by_id_.run();
    run.bind(1, cdn_id);
    std::optional<Account> read;
    if (run.next()) read = read_account(run);
    if (one_snapshot()) accounts_read_.keep(cdn_id, read);
    return read;
  }

  std::optional<Account> account_by_username(const std::string& username) override {
    if (const auto* kept = one_snapshot() ? accounts_read_.find(username) : nullptr) return *kept;
    auto run = account_by_username_.run();
    run.bind(1, username);
    std::optional<Account> read;
    if (run.next()) read = read_account(run);
    if (one_snapshot()) accounts_read_.keep(username, read);
    return read;
  }

  std::vector<Account> accounts() override {
    auto run = all_accounts_.run();
    return collect<Account>(run, read_account);
  }

  bool insert_account(const Account& a) override {
    accounts_read_.forget();
    auto run = insert_account_.run();
    run.bind(1, a.cdn_id)
        .bind(2, a.username)
        .bind(3, a.api_key)
        .bind(4, a.secret)
        .bind(5, a.active)
        .bind(6, a.max_stream_users)
        .bind(7, a.created);
    const int rc = run.step();
    if (rc == SQLITE_DONE) return true;
    if (is_unique_violation(rc)) return false;
    run.fail();
  }

  bool set_account_secret(int64_t cdn_id, const std::string& secret) override {
    bool changed = false;
    transaction([&] {  // forgets the accounts read
      set_account_secret_.run().bind(1, cdn_id).bind(2, secret).finish();
      changed = changes() > 0;
      delete_console_sessions_of_.run().bind(1, cdn_id).finish();
    });
    return changed;
  }

  bool set_account_active(int64_t cdn_id, bool active) override {
    accounts_read_.forget();
    auto run = set_account_active_.run();
    run.bind(1, cdn_id).bind(2, active).finish();
    return changes() > 0;
  }

  int64_t next_cdn_id() override {
    constexpr int64_t kFirstCdnId = 1000;
    auto run = max_cdn_id_.run();
    if (!run.next()) return kFirstCdnId;  // MAX() always yields one row; be safe anyway
    const int64_t max = run.int64(0);     // NULL (no accounts) reads as 0
    if (max == std::numeric_limits<int64_t>::max()) throw StoreError("no cdn ids left");
    return std::max(max + 1, kFirstCdnId);
  }

  bool insert_ticket(Ticket& t) override {
    auto run = insert_ticket_.run();
    run.bind(1, t.cdn_id)
        .bind(2, t.key)
        .bind(3, t.pass)
        .bind(4, t.ip)
        .bind(5, t.video)
        .bind(6, t.app)
        .bind(7, t.uses)
        .bind(8, t.active)
        .bind(9, t.created)
        .bind(10, t.expires)
        .bind(11, t.used)
        .bind(12, t.max_viewers)
        .bind(13, t.when_full);
    const int rc = run.step();
    if (rc == SQLITE_DONE) {
      t.id = sqlite3_last_insert_rowid(conn_.get());
      return true;
    }
    // key is the only UNIQUE column (id is assigned here), so this is a key collision.
    if (rc == SQLITE_CONSTRAINT_UNIQUE) return false;
    run.fail();
  }

  std::optional<Ticket> ticket(int64_t cdn_id, const std::string& key) override {
    auto run = ticket_by_account_key_.run();
    run.bind(1, cdn_id).bind(2, key);
    if (!run.next()) return std::nullopt;
    return read_ticket(run);
  }

  std::optional<Ticket> ticket_by_key(const std::string& key) override {
    auto run = ticket_by_key_.run();
    run.bind(1, key);
    if (!run.next()) return std::nullopt;
    return read_ticket(run);
  }

  std::vector<Ticket> tickets(int64_t cdn_id, const TicketFilter& f) override {
    auto run = list_tickets_.run();
    run.bind(1, cdn_id)
        .bind(2, f.key)
        .bind(3, f.pass)
        .bind(4, f.ip)
        .bind(5, f.video)
        .bind(6, f.app)
        .bind(7, f.uses)
        .bind(8, f.active)
        .bind(9, f.id)
        .bind(10, not_negative(f.limit))
        .bind(11, not_negative(f.offset))
        .bind(12, f.created)
        .bind(13, f.expires)
        .bind(14, f.used);
    return collect<Ticket>(run, read_ticket);
  }

  bool update_ticket(const Ticket& t) override {
    auto run = update_ticket_.run();
    run.bind(1, t.cdn_id)
        .bind(2, t.key)
        .bind(3, t.ip)
        .bind(4, t.uses)
        .bind(5, t.active)
        .bind(6, t.expires)
        .bind(7, t.used)
        .bind(8, t.max_viewers)
        .bind(9, t.when_full)
        .bind(10, t.id)
        .finish();
    return changes() > 0;
  }

  bool delete_ticket(int64_t cdn_id, const std::string& key) override {
    auto run = delete_ticket_.run();
    run.bind(1, cdn_id).bind(2, key).finish();
    return changes() > 0;
  }

  int64_t insert_attempt(const Attempt& a) override {
    if (!depth_.open()) {  // the row and its hour's total commit together
      int64_t id = 0;
      transaction([&] { id = insert_attempt(a); });
      return id;
    }
    return insert_attempt_now(a);  // after the rows held before it
  }

  // The row is held and written with those that follow it, up to
  // kAttemptsPerInsert to a statement, before the next statement of any kind on
  // this connection (write_held): a read of the attempts in the same
  // transaction sees it, and COMMIT writes it. A rollback forgets it with the
  // rest of the transaction. SQLite numbers it when it is written, in the
  // order rows were held and inserted.
  void hold_attempt(const Attempt& a) override {
    if (!depth_.open()) {
      insert_attempt(a);  // no transaction to hold it in
      return;
    }
    held_attempts_.push_back(a);
    tally_.add(a.cdn_id, a.datetime, a.success);
    if (held_attempts_.size() == kAttemptsPerInsert) {
      write_held();
    } else {
      holding_ = this;
    }
  }

  std::vector<Attempt> attempts(int64_t cdn_id, const AttemptFilter& f) override {
    auto run = (f.key ? list_attempts_by_key_ : list_attempts_).run();
    bind_attempt_filter(run, cdn_id, f);
    run.bind(9, not_negative(f.limit)).bind(10, not_negative(f.offset));
    return collect<Attempt>(run, read_attempt);
  }

  std::vector<Attempt> attempts_after(int64_t after_id, const std::optional<int64_t>& cdn_id,
                                      const std::optional<std::string>& key,
                                      int64_t limit) override {
    auto run = attempts_after_.run();
    run.bind(1, after_id).bind(2, cdn_id).bind(3, key).bind(4, not_negative(limit));
    return collect<Attempt>(run, read_attempt);
  }

  std::vector<Attempt> find_attempts(const AttemptQuery& q) override {
    auto run = (q.after_id ? console_attempts_after_ : console_attempts_before_).run();
    bind_attempt_query(run, q);
    run.bind(10, q.after_id ? *q.after_id : q.before_id.value_or(
                                                 std::numeric_limits<int64_t>::max()))
        .bind(11, not_negative(q.limit));
    return collect<Attempt>(run, read_attempt);
  }

  std::vector<AttemptBucket> attempt_timeline(const AttemptQuery& q, int64_t start,
                                              int64_t step) override {
    auto run = attempt_timeline_.run();
    bind_attempt_query(run, q);
    run.bind(10, start).bind(11, std::max<int64_t>(step, 1));
    return collect<AttemptBucket>(run, [](const Statement::Run& row) {
      return AttemptBucket{row.int64(0), row.boolean(1), row.text(2), row.int64(3)};
    });
  }

  std::vector<Ticket> search_tickets(int64_t cdn_id, const std::string& q, int64_t offset,
                                     int64_t limit) override {
    auto run = search_tickets_.run();
    run.bind(1, cdn_id).bind(2, q).bind(3, not_negative(limit)).bind(4, not_negative(offset));
    return collect<Ticket>(run, read_ticket);
  }

  int64_t count_tickets_matching(int64_t cdn_id, const std::string& q) override {
    auto run = count_tickets_matching_.run();
    run.bind(1, cdn_id).bind(2, q);
    return run.next() ? run.int64(0) : 0;
  }

  void insert_console_session(const ConsoleSession& c) override {
    insert_console_session_.run()
        .bind(1, c.token_hash)
        .bind(2, c.cdn_id)
        .bind(3, c.created)
        .bind(4, c.expires)
        .finish();
  }

  std::optional<ConsoleSession> console_session(const std::string& token_hash) override {
    auto run = console_session_.run();
    run.bind(1, token_hash);
    if (!run.next()) return std::nullopt;
    return ConsoleSession{run.text(0), run.int64(1), run.int64(2), run.int64(3)};
  }

  bool delete_console_session(const std::string& token_hash) override {
    delete_console_session_.run().bind(1, token_hash).finish();
    return changes() > 0;
  }

  int64_t delete_expired_console_sessions(int64_t now, int64_t limit) override {
    delete_expired_console_sessions_.run().bind(1, now).bind(2, not_negative(limit)).finish();
    return changes();
  }

  bool mark_seeded(const std::string& name, int64_t now) override {
    auto run = mark_seeded_.run();
    run.bind(1, name).bind(2, now).finish();
    return changes() > 0;
  }

  int64_t count_attempts(int64_t cdn_id, const AttemptFilter& f) override {
    if (!f.key && !f.app && !f.video && !f.ip && !f.pass) return count_from_totals(cdn_id, f);
    auto run = (f.key ? count_attempts_by_key_ : count_attempts_).run();
    bind_attempt_filter(run, cdn_id, f);
    return run.next() ? run.int64(0) : 0;
  }

  bool insert_stream_user(StreamUser& u) override {
    auto run = insert_stream_user_.run();
    run.bind(2, u.cdn_id).bind(16, u.created);
    bind_stream_user_fields(run, u);
    const int rc = run.step();
    if (rc == SQLITE_DONE) {
      u.id = sqlite3_last_insert_rowid(conn_.get());
      return true;
    }
    if (rc == SQLITE_CONSTRAINT_UNIQUE) return false;  // same user on this app+stream
    run.fail();
  }

  std::optional<StreamUser> stream_user(int64_t cdn_id, int64_t id) override {
    auto run = stream_user_by_id_.run();
    run.bind(1, id).bind(2, cdn_id);
    if (!run.next()) return std::nullopt;
    return read_stream_user(run);
  }

  std::vector<StreamUser> stream_users(int64_t cdn_id, const std::optional<std::string>& app,
                                       const std::optional<std::string>& stream) override {
    auto run = list_stream_users_.run();
    run.bind(1, cdn_id).bind(2, app).bind(3, stream);
    return collect<StreamUser>(run, read_stream_user);
  }

  std::vector<StreamUser> publish_candidates(const std::string& app,
                                             const std::string& stream) override {
    auto run = publish_candidates_.run();
    run.bind(1, app).bind(2, stream);
    return collect<StreamUser>(run, read_stream_user);
  }

  // Writes every field but id, cdn_id and created. False when the row does not
  // exist for this account, or when the change would duplicate a user name on
  // the same app+stream.
  bool update_stream_user(const StreamUser& u) override {
    auto run = update_stream_user_.run();
    run.bind(1, u.id).bind(2, u.cdn_id);
    bind_stream_user_fields(run, u);
    const int rc = run.step();
    if (rc == SQLITE_DONE) return changes() > 0;
    if (rc == SQLITE_CONSTRAINT_UNIQUE) return false;
    run.fail();
  }

  bool delete_stream_user(int64_t cdn_id, int64_t id) override {
    auto run = delete_stream_user_.run();
    run.bind(1, id).bind(2, cdn_id).finish();
    return changes() > 0;
  }

  int64_t count_stream_users(int64_t cdn_id) override {
    auto run = count_stream_users_.run();
    run.bind(1, cdn_id);
    return run.next() ? run.int64(0) : 0;
  }

  std::optional<WriteReply> write_reply(int64_t cdn_id, int64_t signed_at,
                                        const std::string& signature) override {
    KeptReplyIndex& index = kept_replies();
    return kept_reply(index, index.hash(cdn_id, signed_at, signature), cdn_id, signed_at,
                      signature);
  }

  // The table holds no unique key over account, timestamp and signature (the
  // index does its work): one reply per request is checked here.
  void insert_write_reply(const WriteReply& r) override {
    KeptReplyIndex& index = kept_replies();
    const uint64_t hash = index.hash(r.cdn_id, r.signed_at, r.signature);
    if (kept_reply(index, hash, r.cdn_id, r.signed_at, r.signature))
      throw StoreError("a reply to this signed write is already kept");
    auto run = insert_write_reply_.run();
    run.bind(1, r.cdn_id)
        .bind(2, r.signature)
        .bind(3, r.expires)
        .bind(4, r.held)
        .bind(5, r.code)
        .bind(6, r.message)
        .bind(7, r.payload)
        .bind(8, r.signed_at)
        .finish();
    const KeptReplyIndex::Entry added{hash, sqlite3_last_insert_rowid(conn_.get()), r.signed_at};
    if (depth_.open())
      replies_added_.add(added);  // the index hears of it at COMMIT
    else
      index.add(added);  // committed already
  }

  // Found through the kept-reply index (store/kept_reply_index.hpp): this
  // transaction's own replies first, then the committed ones, each row read
  // and compared whole; in the table by second only for a second the index
  // no longer covers.
  std::optional<WriteReply> kept_reply(const KeptReplyIndex& index, uint64_t hash, int64_t cdn_id,
                                       int64_t signed_at, const std::string& signature) {
    auto matching = [&](const std::vector<int64_t>& rows) -> std::optional<WriteReply> {
      for (int64_t rowid : rows) {
        auto run = write_reply_at_.run();
        run.bind(1, rowid);
        if (!run.next()) continue;  // deleted since: the window passed it
        WriteReply r = read_write_reply(run);
        if (r.cdn_id == cdn_id && r.signed_at == signed_at && r.signature == signature) return r;
      }
      return std::nullopt;
    };
    if (auto own = matching(replies_added_.rows_of(hash))) return own;
    if (auto committed = matching(index.rows_of(signed_at, hash))) return committed;
    if (index.covers(signed_at)) return std::nullopt;
    auto run = write_reply_.run();
    run.bind(1, cdn_id).bind(2, signature).bind(3, signed_at);
    if (!run.next()) return std::nullopt;
    return read_write_reply(run);
  }

  // Oldest first: once some went, every reply signed before the oldest one
  // left is gone, and the index may forget those seconds (at COMMIT, when
  // inside a transaction, as a rollback brings them back).
  int64_t delete_write_replies_signed_before(int64_t before, int64_t limit) override {
    const int64_t deleted =
        forget_before(delete_write_replies_signed_before_, stale_probe_, before, limit);
    if (deleted > 0) {
      auto run = oldest_kept_reply_.run();
      const int64_t oldest = run.next() ? run.int64(0) : std::numeric_limits<int64_t>::max();
      if (depth_.open())
        replies_gone_before_ = std::max(replies_gone_before_, oldest);
      else
        kept_replies().forget_before(oldest);
    }
    return deleted;
  }

  std::optional<ViewingSession> session_row(const std::string& id) override {
    auto run = viewing_session_.run();
    run.bind(1, id);
    if (!run.next()) return std::nullopt;
    return read_viewing_session(run);
  }

  void save_viewing_session(const ViewingSession& s) override {
    bind_viewing_session(save_viewing_session_.run(), s).finish();
  }

  static Statement::Run& bind_viewing_session(Statement::Run&& run, const ViewingSession& s) {
    return run.bind(1, s.id)
        .bind(2, s.cdn_id)
        .bind(3, s.key)
        .bind(4, s.ip)
        .bind(5, s.app)
        .bind(6, s.video)
        .bind(7, s.media_server)
        .bind(8, s.protocol)
        .bind(9, s.client_ref)
        .bind(10, s.started)
        .bind(11, s.last_seen)
        .bind(12, s.lapse)
        .bind(13, s.ended)
        .bind(14, s.end_reason)
        .bind(15, s.opened);
  }

  bool touch_session_row(const std::string& id, int64_t last_seen) override {
    touch_viewing_session_.run().bind(1, id).bind(2, last_seen).finish();
    return changes() > 0;
  }

  bool end_session_row(const std::string& id, int64_t now, const std::string& reason) override {
    end_viewing_session_.run().bind(1, id).bind(2, now).bind(3, reason).finish();
    return changes() > 0;
  }

  void delete_viewing_session(const std::string& id) override {
    delete_viewing_session_.run().bind(1, id).finish();
  }

  std::vector<ViewingSession> live_session_rows(int64_t cdn_id, const std::string& key,
                                                int64_t now) override {
    auto run = live_viewing_sessions_.run();
    run.bind(1, cdn_id).bind(2, key).bind(3, now);
    return collect<ViewingSession>(run, read_viewing_session);
  }

  bool add_session_row(const ViewingSession& s) override {
    bind_viewing_session(add_viewing_session_.run(), s).finish();
    return changes() > 0;
  }

  std::optional<Attempt> attempt_keeping_session(int64_t attempt_id) override {
    auto run = attempt_keeping_session_.run();
    run.bind(1, attempt_id);
    if (!run.next()) return std::nullopt;
    return read_attempt(run);
  }

  std::vector<Attempt> attempts_keeping_live_sessions(int64_t cdn_id, const std::string& key,
                                                      int64_t now) override {
    auto run = attempts_keeping_live_sessions_.run();
    run.bind(1, cdn_id).bind(2, key).bind(3, now);
    static const std::string prefix(kAttemptSessionPrefix);  // bound, not copied: it must outlive the run
    run.bind(4, prefix);
    return collect<Attempt>(run, read_attempt);
  }

  std::optional<Attempt> newest_attempt_keeping_session_of(const Attempt& viewer,
                                                           int64_t now) override {
    auto run = newest_attempt_keeping_session_of_.run();
    bind_viewer(run, viewer, now).bind(8, viewer.pass);
    if (!run.next()) return std::nullopt;
    return read_attempt(run);
  }

  std::optional<ViewingSession> newest_unnamed_session_row_of(const Attempt& viewer,
                                                              int64_t now) override {
    auto run = newest_unnamed_session_row_of_.run();
    // Bound, not copied: it must outlive the run.
    static const std::string prefix(kAttemptSessionPrefix);
    bind_viewer(run, viewer, now).bind(8, prefix);
    if (!run.next()) return std::nullopt;
    return read_viewing_session(run);
  }

  // ?1 to ?7 of the two statements that look for a viewer's session.
  static Statement::Run& bind_viewer(Statement::Run& run, const Attempt& viewer, int64_t now) {
    return run.bind(1, viewer.cdn_id)
        .bind(2, viewer.key)
        .bind(3, now)
        .bind(4, viewer.ip)
        .bind(5, viewer.app)
        .bind(6, viewer.video)
        .bind(7, viewer.media_server);
  }

  int64_t delete_idle_viewing_sessions(int64_t before, int64_t limit) override {
    return forget_before(delete_idle_viewing_sessions_, idle_probe_, before, limit);
  }

  void reset_data() override {
    transaction([&] {
      for (Statement* s : {&reset_attempts_, &reset_attempt_counts_, &reset_tickets_,
                           &reset_stream_users_, &reset_write_replies_, &reset_viewing_sessions_})
        s->run().finish();
      tally_.clear();  // the rows it counted are gone
      replies_added_.clear();
      replies_reset_ = true;  // the index forgets every reply once this commits
    });
  }

  void backup_to(const std::string& dest) override { sqlite::backup_database(conn_.get(), dest); }

  std::vector<WriteReply> write_replies() override {
    auto run = all_write_replies_.run();
    return collect<WriteReply>(run, read_write_reply);
  }

  std::vector<SeedMark> seed_marks() override {
    auto run = all_seed_marks_.run();
    return collect<SeedMark>(run, [](const Statement::Run& row) {
      return SeedMark{row.text(0), row.int64(1)};
    });
  }

  // An explicit id moves AUTOINCREMENT's counter (sqlite_sequence) past it, and
  // attempts' plain rowid continues after the largest: later draws stay fresh.
  void copy_in(const Ticket& t) override {
    auto run = copy_ticket_.run();
    run.bind(1, t.id)
        .bind(2, t.cdn_id)
        .bind(3, t.key)
        .bind(4, t.pass)
        .bind(5, t.ip)
        .bind(6, t.video)
        .bind(7, t.app)
        .bind(8, t.uses)
        .bind(9, t.active)
        .bind(10, t.created)
        .bind(11, t.expires)
        .bind(12, t.used)
        .bind(13, t.max_viewers)
        .bind(14, t.when_full)
        .finish();
  }

  void copy_in(const Attempt& a) override {
    if (!depth_.open()) return transaction([&] { copy_in(a); });
    auto run = copy_attempt_.run();
    bind_attempt(run, a, 0);
    run.finish();
    tally_.add(a.cdn_id, a.datetime, a.success);
  }

  // AUTOINCREMENT's counters: a table's row in sqlite_sequence, there once it
  // has handed out an id.
  IdsHandedOut ids_handed_out() override {
    IdsHandedOut ids;
    auto run = ids_handed_out_.run();
    while (run.next()) (run.text(0) == "tickets" ? ids.tickets : ids.stream_users) = run.int64(1);
    return ids;
  }

  void hand_out_ids_after(const IdsHandedOut& ids) override {
    transaction([&] {
      for (const auto& [table, id] :
           {std::pair{"tickets", ids.tickets}, std::pair{"stream_users", ids.stream_users}}) {
        raise_id_counter_.run().bind(1, table).bind(2, id).finish();
        if (changes() == 0) add_id_counter_.run().bind(1, table).bind(2, id).finish();
      }
    });
  }

  void copy_in(const StreamUser& u) override {
    auto run = copy_stream_user_.run();
    run.bind(1, u.id).bind(2, u.cdn_id).bind(16, u.created);
    bind_stream_user_fields(run, u);
    run.finish();
  }

 private:
  int64_t changes() const { return sqlite3_changes64(conn_.get()); }

  // Forgets up to `limit` rows whose time ran out before `before`, unless
  // the probe already found none before that moment (store/forget_probe.hpp).
  int64_t forget_before(Statement& statement, ForgetProbe& probe, int64_t before, int64_t limit) {
    return probe(before, limit, [&] {
      statement.run().bind(1, before).bind(2, not_negative(limit)).finish();
      return changes();
    });
  }

  // SQLite rolls a whole transaction back on some failures of one statement
  // (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM), leaving the connection in
  // autocommit mode while the store still thinks a transaction is open.
  bool transaction_ended() const { return sqlite3_get_autocommit(conn_.get()) != 0; }

  // The hours' totals this transaction owes (store/attempt_tally.hpp), written
  // once per hour just before its COMMIT.
  void write_tally() {
    // After such a failure COMMIT fails and reports it; the totals must not
    // commit on their own meanwhile, for rows that are gone.
    if (transaction_ended()) return tally_.clear();
    for (const auto& [hour, n] : tally_.take()) {
      add_attempt_counts_.run()
          .bind(1, hour.cdn_id)
          .bind(2, hour.hour)
          .bind(3, hour.success)
          .bind(4, n)
          .finish();
    }
  }

  // The index of this database's kept replies, filled from the table by the
  // first store that needs it.
  KeptReplyIndex& kept_replies() {
    kept_replies_->load_once([&](KeptReplyIndex& index) {
      auto run = all_kept_reply_keys_.run();
      while (run.next()) {
        const int64_t signed_at = run.int64(2);
        index.add({index.hash(run.int64(1), signed_at, run.text(3)), run.int64(0), signed_at});
      }
    });
    return *kept_replies_;
  }

  // After COMMIT: what the transaction kept becomes findable by every connection.
  void publish_kept_replies() noexcept {
    try {
      if (replies_reset_) kept_replies().clear();
      replies_reset_ = false;
      if (replies_gone_before_ != 0) kept_replies().forget_before(replies_gone_before_);
      replies_gone_before_ = 0;
      kept_replies().add(replies_added_.take());
    } catch (...) {  // out of memory: the table is looked in by second instead
      kept_replies_->forget_all();
    }
    replies_added_.clear();
  }

  void rollback_quietly() noexcept {
    forget_held();
    if (transaction_ended()) return;  // only roll back one that is still open
    try {
      rollback_.run().finish();
    } catch (...) {  // the original exception is the one worth reporting
    }
  }

  // Rows held when a part is undone are the part's: SAVEPOINT had those
  // before it written.
  void rollback_savepoint_quietly() noexcept {
    forget_held();
    accounts_read_.forget();  // it may have read the part's own account writes
    if (transaction_ended()) return;  // the failure ended the whole transaction
    try {
      rollback_to_.run().finish();
      release_.run().finish();
    } catch (...) {  // the outer commit will fail and say so
    }
  }

  // An account's attempts filtered at most by since and success, from the
  // hourly totals (schema/0004_attempt_counts.sql): whole hours from the totals,
  // the hour a `since` cuts into from the rows.
  int64_t count_from_totals(int64_t cdn_id, const AttemptFilter& f) {
    constexpr int64_t kHour = AttemptTally::kHour;
    const int64_t since = std::max<int64_t>(f.since.value_or(0), 0);
    const int64_t first_whole_hour = (since + kHour - 1) / kHour;
    auto whole = sum_attempt_counts_.run();
    whole.bind(1, cdn_id).bind(2, first_whole_hour).bind(3, f.success);
    int64_t n = whole.next() ? whole.int64(0) : 0;
    n += tally_.pending(cdn_id, first_whole_hour, f.success);  // this transaction's own rows
    if (since % kHour == 0) return n;
    auto part = count_attempts_between_.run();
    part.bind(1, cdn_id).bind(2, since).bind(3, first_whole_hour * kHour).bind(4, f.success);
    return n + (part.next() ? part.int64(0) : 0);
  }

  static void bind_attempt_filter(Statement::Run& run, int64_t cdn_id, const AttemptFilter& f) {
    run.bind(1, cdn_id);
    if (f.key) run.bind(2, *f.key);
    run.bind(3, f.since.value_or(std::numeric_limits<int64_t>::min()))
        .bind(4, f.app)
        .bind(5, f.video)
        .bind(6, f.ip)
        .bind(7, f.pass)
        .bind(8, f.success);
  }

  static void bind_attempt_query(Statement::Run& run, const AttemptQuery& q) {
    run.bind(1, q.cdn_id)
        .bind(2, q.from)
        .bind(3, q.to)
        .bind(4, q.key)
        .bind(5, q.app)
        .bind(6, q.video)
        .bind(7, q.ip)
        .bind(8, q.reason)
        .bind(9, q.success);
  }

  // An attempt's 17 columns in insert_attempts_sql's order, from parameter
  // `first` + 1 on.
  static void bind_attempt(Statement::Run& run, const Attempt& a, int first) {
    run.bind(first + 1, a.cdn_id)
        .bind(first + 2, a.datetime)
        .bind(first + 3, a.key)
        .bind(first + 4, a.pass)
        .bind(first + 5, a.ip)
        .bind(first + 6, a.video)
        .bind(first + 7, a.app)
        .bind(first + 8, a.appinst)
        .bind(first + 9, a.pageurl)
        .bind(first + 10, a.refurl)
        .bind(first + 11, a.success)
        .bind(first + 12, a.reason)
        .bind(first + 13, a.server)
        .bind(first + kAttemptIdParameter, a.id)
        .bind(first + 15, a.session_lapse)
        .bind(first + 16, a.media_server)
        .bind(first + 17, a.protocol);
  }
  static constexpr int kAttemptColumns = 17;
  static constexpr int kAttemptIdParameter = 14;

  // "INSERT INTO attempts (...) VALUES (?1, ..., ?17), (?18, ...)..." for rows
  // rows, in bind_attempt's order.
  static std::string insert_attempts_sql(std::size_t rows) {
    std::string sql =
        "INSERT INTO attempts (cdn_id, datetime, key, pass, ip, video, app, appinst, pageurl, "
        "refurl, success, reason, server, id, session_lapse, media_server, protocol) VALUES ";
    int n = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      sql += row ? ", (" : "(";
      for (int column = 0; column < kAttemptColumns; ++column) {
        sql += column ? ", ?" : "?";
        sql += std::to_string(++n);
      }
      sql += ')';
    }
    return sql;
  }

  // bind_attempt without the id: NULL, SQLite numbers the row (one past the
  // largest) as it writes it.
  static void bind_new_attempt(Statement::Run& run, const Attempt& a, int first) {
    bind_attempt(run, a, first);
    run.bind(first + kAttemptIdParameter, std::optional<int64_t>{});
  }

  int64_t insert_attempt_now(const Attempt& a) {
    auto run = copy_attempt_.run();
    bind_new_attempt(run, a, 0);
    run.finish();
    tally_.add(a.cdn_id, a.datetime, a.success);
    return sqlite3_last_insert_rowid(conn_.get());
  }

  // HeldWrites: the held rows, kAttemptsPerInsert to a statement and the rest
  // one at a time. Should a statement fail, the rows it did not write stay
  // held (and this connection's next statement tries again) until the
  // rollback that failure leads to forgets them.
  void write_held() override {
    // A failure that ended the transaction (write_tally says which) took its
    // held rows with it: written now they would commit on their own.
    if (transaction_ended()) return forget_held();
    holding_ = nullptr;  // the statements below must not call back here
    std::size_t written = 0;
    try {
      while (held_attempts_.size() - written >= kAttemptsPerInsert) {
        auto run = insert_attempts_.run();
        for (std::size_t row = 0; row < kAttemptsPerInsert; ++row)
          bind_new_attempt(run, held_attempts_[written + row],
                           static_cast<int>(row) * kAttemptColumns);
        run.finish();
        written += kAttemptsPerInsert;
      }
      for (; written < held_attempts_.size(); ++written) {
        auto run = copy_attempt_.run();
        bind_new_attempt(run, held_attempts_[written], 0);
        run.finish();
      }
    } catch (...) {
      held_attempts_.erase(held_attempts_.begin(),
                           held_attempts_.begin() + static_cast<std::ptrdiff_t>(written));
      holding_ = this;
      throw;
    }
    held_attempts_.clear();
  }

  void forget_held() noexcept {
    held_attempts_.clear();
    holding_ = nullptr;
  }

  sqlite::Database db() { return {conn_.get(), &holding_}; }

  sqlite::Connection conn_;  // declared first: outlives every statement below
  // Declared before the statements, which keep its address (sqlite::Database).
  sqlite::HeldWrites* holding_ = nullptr;
  std::vector<Attempt> held_attempts_;  // the open transaction's, numbered when written
  TransactionDepth depth_;
  bool reading_ = false;  // inside read_together's transaction
  ForgetProbe idle_probe_, stale_probe_;    // forget_before's, per kind of row
  AttemptTally tally_;                      // the open transaction's attempt rows, by hour
  AccountMemo accounts_read_;               // the open transaction's account reads
  std::shared_ptr<KeptReplyIndex> kept_replies_{KeptReplyIndex::of(database_file(conn_.get()))};
  KeptReplyIndex::Pending replies_added_;  // the open transaction's kept replies
  bool replies_reset_ = false;              // reset_data() ran in the open transaction
  int64_t replies_gone_before_ = 0;         // its deletes: no reply signed before this is left

  Statement begin_{db(), "BEGIN IMMEDIATE"};
  Statement begin_read_{db(), "BEGIN"};
  Statement commit_{db(), "COMMIT"};
  Statement rollback_{db(), "ROLLBACK"};
  Statement savepoint_{db(), "SAVEPOINT part"};
  Statement reset_attempts_{db(), "DELETE FROM attempts"};
  Statement reset_attempt_counts_{db(), "DELETE FROM attempt_counts"};
  Statement reset_tickets_{db(), "DELETE FROM tickets"};
  Statement reset_stream_users_{db(), "DELETE FROM stream_users"};
  Statement reset_write_replies_{db(), "DELETE FROM write_replies"};
  Statement reset_viewing_sessions_{db(), "DELETE FROM viewing_sessions"};
  Statement release_{db(), "RELEASE part"};
  Statement rollback_to_{db(), "ROLLBACK TO part"};

  Statement account_by_id_{db(), "SELECT " + columns::kAccount + " FROM accounts WHERE cdn_id = ?1"};
  Statement account_by_username_{
      db(), "SELECT " + columns::kAccount + " FROM accounts WHERE username = ?1"};
  Statement all_accounts_{db(), "SELECT " + columns::kAccount + " FROM accounts ORDER BY cdn_id"};
  Statement insert_account_{
      db(), "INSERT INTO accounts (" + columns::kAccount + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
  Statement set_account_secret_{db(), "UPDATE accounts SET secret = ?2 WHERE cdn_id = ?1"};
  Statement set_account_active_{db(), "UPDATE accounts SET active = ?2 WHERE cdn_id = ?1"};
  Statement max_cdn_id_{db(), "SELECT MAX(cdn_id) FROM accounts"};

  Statement insert_ticket_{
      db(),
      "INSERT INTO tickets (cdn_id, key, pass, ip, video, app, uses, active, created, expires, "
      "used, max_viewers, when_full) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13)"};
  Statement ticket_by_account_key_{
      db(), "SELECT " + columns::kTicket + " FROM tickets WHERE cdn_id = ?1 AND key = ?2"};
  Statement ticket_by_key_{db(), "SELECT " + columns::kTicket + " FROM tickets WHERE key = ?1"};
  Statement list_tickets_{db(), "SELECT " + columns::kTicket +
                                    " FROM tickets WHERE cdn_id = ?1"
                                    " AND (?2 IS NULL OR key = ?2) AND (?3 IS NULL OR pass = ?3)"
                                    " AND (?4 IS NULL OR ip = ?4) AND (?5 IS NULL OR video = ?5)"
                                    " AND (?6 IS NULL OR app = ?6) AND (?7 IS NULL OR uses = ?7)"
                                    " AND (?8 IS NULL OR active = ?8) AND (?9 IS NULL OR id = ?9)"
                                    " AND (?12 IS NULL OR created = ?12)"
                                    " AND (?13 IS NULL OR expires = ?13)"
                                    " AND (?14 IS NULL OR used = ?14)"
                                    " ORDER BY id LIMIT ?10 OFFSET ?11"};
  Statement update_ticket_{db(),
                           "UPDATE tickets SET ip = ?3, uses = ?4, active = ?5, expires = ?6, "
                           "used = ?7, max_viewers = ?8, when_full = ?9"
                           " WHERE id = ?10 AND cdn_id = ?1 AND key = ?2"};
  Statement delete_ticket_{db(), "DELETE FROM tickets WHERE cdn_id = ?1 AND key = ?2"};

  Statement insert_attempts_{db(), insert_attempts_sql(kAttemptsPerInsert)};
  // With and without a key: two fixed statements, so each gets its own index
  // ((cdn_id, key, datetime) or (cdn_id, datetime)); one "?2 IS NULL OR key = ?2"
  // statement would be stuck with a single plan. The keyless one keeps the
  // same parameter numbers through an always-true "?2 IS NULL".
  Statement list_attempts_by_key_{
      db(), "SELECT " + columns::kAttempt + " FROM attempts WHERE cdn_id = ?1 AND key = ?2" +
                kAttemptFilters + " ORDER BY datetime, id LIMIT ?9 OFFSET ?10"};
  Statement list_attempts_{
      db(), "SELECT " + columns::kAttempt + " FROM attempts WHERE cdn_id = ?1 AND ?2 IS NULL" +
                kAttemptFilters + " ORDER BY datetime, id LIMIT ?9 OFFSET ?10"};
  Statement count_attempts_by_key_{
      db(), "SELECT COUNT(*) FROM attempts WHERE cdn_id = ?1 AND key = ?2" + kAttemptFilters};
  Statement add_attempt_counts_{
      db(),
      "INSERT INTO attempt_counts (cdn_id, hour, success, n) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (cdn_id, hour, success) DO UPDATE SET n = n + excluded.n"};
  Statement sum_attempt_counts_{
      db(), "SELECT COALESCE(SUM(n), 0) FROM attempt_counts WHERE cdn_id = ?1 AND hour >= ?2"
            " AND (?3 IS NULL OR success = ?3)"};
  Statement count_attempts_between_{
      db(), "SELECT COUNT(*) FROM attempts WHERE cdn_id = ?1 AND datetime >= ?2 AND datetime < ?3"
            " AND (?4 IS NULL OR success = ?4)"};
  Statement count_attempts_{
      db(), "SELECT COUNT(*) FROM attempts WHERE cdn_id = ?1 AND ?2 IS NULL" + kAttemptFilters};

  // By the rowid alone, so that following the log is a range scan.
  Statement attempts_after_{db(), "SELECT " + columns::kAttempt +
                                      " FROM attempts WHERE id > ?1"
                                      " AND (?2 IS NULL OR cdn_id = ?2)"
                                      " AND (?3 IS NULL OR key = ?3) ORDER BY id LIMIT ?4"};
  Statement console_attempts_before_{
      db(), "SELECT " + columns::kAttempt + kConsoleAttempts + " AND id < ?10 ORDER BY id DESC LIMIT ?11"};
  Statement console_attempts_after_{
      db(), "SELECT " + columns::kAttempt + kConsoleAttempts + " AND id > ?10 ORDER BY id LIMIT ?11"};
  Statement attempt_timeline_{
      db(), "SELECT ?10 + ((datetime - ?10) / ?11) * ?11 AS bucket, success, reason, COUNT(*)" +
                kConsoleAttempts + " GROUP BY bucket, success, reason ORDER BY bucket, success DESC, reason"};
  Statement search_tickets_{db(), "SELECT " + columns::kTicket + kTicketSearch +
                                      " ORDER BY id DESC LIMIT ?3 OFFSET ?4"};
  Statement count_tickets_matching_{db(), "SELECT COUNT(*)" + kTicketSearch};
  Statement insert_console_session_{
      db(), "INSERT INTO console_sessions (token_hash, cdn_id, created, expires)"
            " VALUES (?1, ?2, ?3, ?4)"};
  Statement console_session_{
      db(), "SELECT token_hash, cdn_id, created, expires FROM console_sessions"
            " WHERE token_hash = ?1"};
  Statement delete_console_session_{db(), "DELETE FROM console_sessions WHERE token_hash = ?1"};
  // Rare (a secret rotated) and over a table of logins: no index of its own.
  Statement delete_console_sessions_of_{db(), "DELETE FROM console_sessions WHERE cdn_id = ?1"};
  Statement delete_expired_console_sessions_{
      db(),
      "DELETE FROM console_sessions WHERE token_hash IN (SELECT token_hash FROM console_sessions"
      " WHERE expires < ?1 ORDER BY expires LIMIT ?2)"};
  Statement ids_handed_out_{
      db(), "SELECT name, seq FROM sqlite_sequence WHERE name IN ('tickets', 'stream_users')"};
  Statement raise_id_counter_{db(),
                              "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1"};
  Statement add_id_counter_{db(), "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)"};
  Statement mark_seeded_{db(), "INSERT OR IGNORE INTO seeded (name, created) VALUES (?1, ?2)"};

  Statement insert_stream_user_{
      db(),
      "INSERT INTO stream_users (cdn_id, app, stream, user, pass_hash, record, record_type, "
      "segment_type, segment_value, save_folder, playlist_count, playlist_timeout, enable_dvr, "
      "ga_key, created) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
      "?16)"};
  Statement stream_user_by_id_{
      db(), "SELECT " + columns::kStreamUser + " FROM stream_users WHERE id = ?1 AND cdn_id = ?2"};
  Statement list_stream_users_{db(), "SELECT " + columns::kStreamUser +
                                         " FROM stream_users WHERE cdn_id = ?1"
                                         " AND (?2 IS NULL OR app = ?2)"
                                         " AND (?3 IS NULL OR stream = ?3) ORDER BY id"};
  Statement publish_candidates_{db(),
                                "SELECT " + columns::kStreamUser +
                                    " FROM stream_users WHERE app = ?1 AND stream IN (?2, '*')"
                                    " ORDER BY stream <> ?2, id"};
  Statement update_stream_user_{
      db(),
      "UPDATE stream_users SET app = ?3, stream = ?4, user = ?5, pass_hash = ?6, record = ?7, "
      "record_type = ?8, segment_type = ?9, segment_value = ?10, save_folder = ?11, "
      "playlist_count = ?12, playlist_timeout = ?13, enable_dvr = ?14, ga_key = ?15 "
      "WHERE id = ?1 AND cdn_id = ?2"};
  Statement delete_stream_user_{db(), "DELETE FROM stream_users WHERE id = ?1 AND cdn_id = ?2"};
  Statement count_stream_users_{db(), "SELECT COUNT(*) FROM stream_users WHERE cdn_id = ?1"};

  Statement write_reply_{
      db(), "SELECT " + columns::kWriteReply +
                " FROM write_replies WHERE signed_at = ?3 AND cdn_id = ?1 AND signature = ?2"};
  Statement write_reply_at_{
      db(), "SELECT " + columns::kWriteReply + " FROM write_replies WHERE rowid = ?1"};
  Statement all_kept_reply_keys_{db(),
                                 "SELECT rowid, cdn_id, signed_at, signature FROM write_replies"};
  // With none left, every entry may go.
  Statement oldest_kept_reply_{
      db(), "SELECT coalesce(min(signed_at), 9223372036854775807) FROM write_replies"};
  Statement insert_write_reply_{db(), "INSERT INTO write_replies (" + columns::kWriteReply +
                                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
  Statement all_write_replies_{
      db(), "SELECT " + columns::kWriteReply + " FROM write_replies ORDER BY cdn_id, signature"};
  Statement all_seed_marks_{db(), "SELECT name, created FROM seeded ORDER BY name"};
  Statement copy_ticket_{db(), "INSERT INTO tickets (" + columns::kTicket +
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                                   " ?13, ?14)"};
  Statement copy_attempt_{db(), insert_attempts_sql(1)};
  Statement copy_stream_user_{
      db(), "INSERT INTO stream_users (" + columns::kStreamUser +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                "?16)"};
  // DELETE ... LIMIT needs a compile-time option SQLite builds often lack; the
  // subquery is the portable form, and walks the index by second oldest first.
  Statement delete_write_replies_signed_before_{
      db(),
      "DELETE FROM write_replies WHERE rowid IN (SELECT rowid FROM write_replies"
      " WHERE signed_at < ?1 ORDER BY signed_at LIMIT ?2)"};

  Statement viewing_session_{
      db(), "SELECT " + columns::kViewingSession + " FROM viewing_sessions WHERE id = ?1"};
  Statement save_viewing_session_{
      db(), "INSERT OR REPLACE INTO viewing_sessions (" + columns::kViewingSession +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"};
  Statement add_viewing_session_{
      db(), "INSERT OR IGNORE INTO viewing_sessions (" + columns::kViewingSession +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"};
  Statement touch_viewing_session_{
      db(), "UPDATE viewing_sessions SET last_seen = max(last_seen, ?2) WHERE id = ?1 AND ended = 0"};
  Statement end_viewing_session_{
      db(), "UPDATE viewing_sessions SET ended = ?2, end_reason = ?3 WHERE id = ?1 AND ended = 0"};
  Statement delete_viewing_session_{db(), "DELETE FROM viewing_sessions WHERE id = ?1"};
  Statement live_viewing_sessions_{
      db(), "SELECT " + columns::kViewingSession +
                " FROM viewing_sessions WHERE cdn_id = ?1 AND key = ?2 AND ended = 0"
                " AND last_seen + lapse >= ?3 ORDER BY started, opened, id"};
  Statement attempt_keeping_session_{
      db(), "SELECT " + columns::kAttempt +
                " FROM attempts WHERE id = ?1 AND success = 1 AND session_lapse > 0"};
  // Through attempts_keeping_sessions: a range of the ticket's not yet lapsed.
  Statement attempts_keeping_live_sessions_{
      db(), "SELECT " + columns::kAttempt +
                " FROM attempts WHERE cdn_id = ?1 AND key = ?2 AND session_lapse > 0"
                " AND datetime + session_lapse >= ?3 AND success = 1"
                " AND NOT EXISTS (SELECT 1 FROM viewing_sessions v"
                " WHERE v.id = ?4 || printf('%016x', attempts.id)) ORDER BY datetime, id"};
  // The same range, newest first, and the viewer's rows in it.
  Statement newest_attempt_keeping_session_of_{
      db(), "SELECT " + columns::kAttempt +
                " FROM attempts WHERE cdn_id = ?1 AND key = ?2 AND session_lapse > 0"
                " AND datetime + session_lapse >= ?3 AND success = 1 AND ip = ?4 AND app = ?5"
                " AND video = ?6 AND media_server = ?7 AND pass = ?8"
                " ORDER BY datetime DESC, id DESC LIMIT 1"};
  // Through viewing_sessions_by_ticket: the ticket's rows.
  Statement newest_unnamed_session_row_of_{
      db(), "SELECT " + columns::kViewingSession +
                " FROM viewing_sessions WHERE cdn_id = ?1 AND key = ?2"
                " AND last_seen + lapse >= ?3 AND ip = ?4 AND app = ?5 AND video = ?6"
                " AND media_server = ?7 AND substr(id, 1, 16) = ?8 ORDER BY id DESC LIMIT 1"};
  Statement delete_idle_viewing_sessions_{
      db(),
      "DELETE FROM viewing_sessions WHERE id IN (SELECT id FROM viewing_sessions"
      " WHERE last_seen + lapse < ?1 ORDER BY last_seen + lapse LIMIT ?2)"};
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, OpenMode mode) {
  sqlite::Connection connection(path, mode);
  if (mode == OpenMode::kReadOnly)
    check_migrations(connection.get(), known_migrations(), /*allow_older=*/false);
  else
    apply_migrations(connection.get(), known_migrations());
  return std::make_unique<SqliteStore>(std::move(connection));
}

void check_sqlite_database(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) {
    check_creatable(path);
    return;
  }
  try {
    sqlite::Connection connection(path, OpenMode::kInspect);
    // Reading the schema is what tells an SQLite database from another file.
    check_migrations(connection.get(), known_migrations(), /*allow_older=*/true);
  } catch (const StoreError& e) {
    throw StoreError("database " + path + ": " + e.what());
  }
  if (::access(path.c_str(), W_OK) != 0)
    throw StoreError("database " + path + " is not writable: " + std::strerror(errno));
}

}  // namespace sevu

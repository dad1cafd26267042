// The PostgreSQL implementation of Store, method by method the twin of
// sqlite_store.cpp: the same rows, the same scoping by cdn_id. What differs is
// how several processes sharing one database stay exact (store/README.md):
// row locks where SQLite has its single writer, an advisory lock per signed
// write, and reconnecting when the database went away.
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "store/account_memo.hpp"
#include "store/columns.hpp"
#include "store/forget_probe.hpp"
#include "store/kept_sessions.hpp"
#include "store/migrations.hpp"
#include "store/pg_connection.hpp"
#include "store/pg_migrations.hpp"
#include "store/store.hpp"
#include "store/store_copy.hpp"
#include "store/transaction_depth.hpp"

namespace sevu {
namespace {

using pg::Params;
using pg::Result;

// As in sqlite_store.cpp: filters $3..$8, "since" always bound.
const std::string kAttemptFilters =
    " AND datetime >= $3 AND ($4::text IS NULL OR app = $4) AND ($5::text IS NULL OR video = $5)"
    " AND ($6::text IS NULL OR ip = $6) AND ($7::text IS NULL OR pass = $7)"
    " AND ($8::integer IS NULL OR success = $8)";

// The console's attempt scope as sqlite_store.cpp's kConsoleAttempts, $1..$9:
// the cdn_ids (s), each joined LATERAL to its own attempts, so every one is a
// range of attempts_by_time; a plain IN lets the planner pick a scan of the
// whole table (or of its id order) for the all-accounts view.
const std::string kConsoleScope =
    " FROM (SELECT $1::bigint AS cdn_id WHERE $1::bigint IS NOT NULL"
    " UNION ALL SELECT cdn_id FROM accounts WHERE $1::bigint IS NULL"
    " UNION ALL SELECT 0 WHERE $1::bigint IS NULL) s CROSS JOIN LATERAL (SELECT ";
const std::string kConsoleFilters =
    " FROM attempts WHERE attempts.cdn_id = s.cdn_id"
    " AND datetime >= $2 AND datetime <= $3 AND ($4::text IS NULL OR key = $4)"
    " AND ($5::text IS NULL OR app = $5) AND ($6::text IS NULL OR video = $6)"
    " AND ($7::text IS NULL OR ip = $7) AND ($8::text IS NULL OR reason = $8)"
    " AND ($9::integer IS NULL OR success = $9)";

// As sqlite_store.cpp's kTicketSearch: the term as $2.
const std::string kTicketSearch =
    " FROM tickets WHERE cdn_id = $1 AND ($2 = '' OR left(key, length($2)) = $2"
    " OR app = $2 OR video = $2)";

// The advisory lock class of signed writes: 'sevu' as an int4 (the two-key form
// never meets the one-key lock the migrations take).
constexpr const char* kWriteReplyLockClass = "1936029301";

Account read_account(const Result& r, int i) {
  Account a;
  a.cdn_id = r.int64(i, 0);
  a.username = r.text(i, 1);
  a.api_key = r.text(i, 2);
  a.secret = r.text(i, 3);
  a.active = r.boolean(i, 4);
  a.max_stream_users = r.int64(i, 5);
  a.created = r.int64(i, 6);
  return a;
}

Ticket read_ticket(const Result& r, int i) {
  Ticket t;
  t.id = r.int64(i, 0);
  t.cdn_id = r.int64(i, 1);
  t.key = r.text(i, 2);
  t.pass = r.text(i, 3);
  t.ip = r.text(i, 4);
  t.video = r.text(i, 5);
  t.app = r.text(i, 6);
  t.uses = r.int64(i, 7);
  t.active = r.boolean(i, 8);
  t.created = r.int64(i, 9);
  t.expires = r.int64(i, 10);
  t.used = r.int64(i, 11);
  t.max_viewers = r.int64(i, 12);
  t.when_full = r.text(i, 13);
  return t;
}

ViewingSession read_viewing_session(const Result& r, int i) {
  ViewingSession s;
  s.id = r.text(i, 0);
  s.cdn_id = r.int64(i, 1);
  s.key = r.text(i, 2);
  s.ip = r.text(i, 3);
  s.app = r.text(i, 4);
  s.video = r.text(i, 5);
  s.media_server = r.text(i, 6);
  s.protocol = r.text(i, 7);
  s.client_ref = r.text(i, 8);
  s.started = r.int64(i, 9);
  s.last_seen = r.int64(i, 10);
  s.lapse = r.int64(i, 11);
  s.ended = r.int64(i, 12);
  s.end_reason = r.text(i, 13);
  s.opened = r.int64(i, 14);
  return s;
}

Attempt read_attempt(const Result& r, int i) {
  Attempt a;
  a.id = r.int64(i, 0);
  a.cdn_id = r.int64(i, 1);
  a.datetime = r.int64(i, 2);
  a.key = r.text(i, 3);
  a.pass = r.text(i, 4);
  a.ip = r.text(i, 5);
  a.video = r.text(i, 6);
  a.app = r.text(i, 7);
  a.appinst = r.text(i, 8);
  a.pageurl = r.text(i, 9);
  a.refurl = r.text(i, 10);
  a.success = r.boolean(i, 11);
  a.reason = r.text(i, 12);
  a.server = r.text(i, 13);
  a.session_lapse = r.int64(i, 14);
  a.media_server = r.text(i, 15);
  a.protocol = r.text(i, 16);
  return a;
}

StreamUser read_stream_user(const Result& r, int i) {
  StreamUser u;
  u.id = r.int64(i, 0);
  u.cdn_id = r.int64(i, 1);
  u.app = r.text(i, 2);
  u.stream = r.text(i, 3);
  u.user = r.optional_text(i, 4);
  u.pass_hash = r.optional_text(i, 5);
  u.record = r.boolean(i, 6);
  u.record_type = r.text(i, 7);
  u.segment_type = r.text(i, 8);
  u.segment_value = r.text(i, 9);
  u.save_folder = r.text(i, 10);
  u.playlist_count = r.int64(i, 11);
  u.playlist_timeout = r.int64(i, 12);
  u.enable_dvr = r.boolean(i, 13);
  u.ga_key = r.text(i, 14);
  u.created = r.int64(i, 15);
  return u;
}

WriteReply read_write_reply(const Result& r, int i) {
  WriteReply w;
  w.cdn_id = r.int64(i, 0);
  w.signature = r.text(i, 1);
  w.expires = r.int64(i, 2);
  w.held = r.boolean(i, 3);
  w.code = r.int64(i, 4);
  w.message = r.text(i, 5);
  w.payload = r.text(i, 6);
  w.signed_at = r.int64(i, 7);
  return w;
}

template <typename Row, typename Reader>
std::vector<Row> collect(const Result& r, Reader read) {
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read(r, i));
  return rows;
}

template <typename Row, typename Reader>
std::optional<Row> first(const Result& r, Reader read) {
  if (r.rows() == 0) return std::nullopt;
  return read(r, 0);
}

// The stream user's settable fields as $3..$15 (insert and update share them).
void add_stream_user_fields(Params& p, const StreamUser& u) {
  p.add(u.app)
      .add(u.stream)
      .add(u.user)
      .add(u.pass_hash)
      .add(u.record)
      .add(u.record_type)
      .add(u.segment_type)
      .add(u.segment_value)
      .add(u.save_folder)
      .add(u.playlist_count)
      .add(u.playlist_timeout)
      .add(u.enable_dvr)
      .add(u.ga_key);
}

int64_t not_negative(int64_t n) {
  return std::max<int64_t>(n, 0);
}

bool storable(const TicketFilter& f) {
  return pg::storable(f.key) && pg::storable(f.pass) && pg::storable(f.ip) &&
         pg::storable(f.video) && pg::storable(f.app);
}

bool storable(const AttemptQuery& q) {
  return pg::storable(q.key) && pg::storable(q.app) && pg::storable(q.video) &&
         pg::storable(q.ip) && pg::storable(q.reason);
}

bool storable(const AttemptFilter& f) {
  return pg::storable(f.key) && pg::storable(f.app) && pg::storable(f.video) &&
         pg::storable(f.ip) && pg::storable(f.pass);
}

// A viewer looked for (KeptSessionsStore::unnamed_session_of): when not, no
// row holds it.
bool storable_viewer(const Attempt& v) {
  return pg::storable(v.key) && pg::storable(v.pass) && pg::storable(v.ip) && pg::storable(v.app) &&
         pg::storable(v.video) && pg::storable(v.media_server);
}

// Ids PgStore::read_ahead took from a sequence for the open transaction's rows, in
// order; the first `given` are given.
struct IdsAhead {
  std::vector<int64_t> taken;
  std::size_t given = 0;
  std::optional<int64_t> next() {
    if (given == taken.size()) return std::nullopt;
    return taken[given++];
  }
  void forget() {
    taken.clear();
    given = 0;
  }
};

class PgStore final : public KeptSessionsStore {
 public:
  PgStore(const std::string& uri, bool read_only) : conn_(uri, read_only) {}

  void transaction(const std::function<void()>& body) override {
    if (depth_.open()) return depth_.join(body);
    accounts_read_.forget();  // read in an earlier transaction
    locked_.clear();          // locked by an earlier one, however it ended
    attempt_ids_.forget();    // its rows' ids, taken and not used
    ticket_ids_.forget();
    replies_read_.clear();    // read under its locks
    depth_.outermost(
        body, [&] { begin(); }, [&] { commit(); }, [&] { rollback_quietly(); });
  }

  // A BEGIN and a COMMIT would be two more round trips for no snapshot a
  // v2 read needs: the statements run as they come. What they share is the
  // account reads, kept as a transaction keeps them (account()): a group of
  // queued v2 GETs reads its tenant's account once, not once a GET, a round
  // trip and a statement each (docs/performance.md, "Queued reads share
  // their account reads on PostgreSQL").
  void read_together(const std::function<void()>& body) override {
    if (depth_.open() || together_) return body();
    accounts_read_.forget();
    together_ = true;
    try {
      body();
    } catch (...) {
      together_ = false;
      throw;
    }
    together_ = false;
  }

  void savepoint(const std::function<void()>& body) override {
    if (!depth_.open()) return transaction(body);
    // Rows held before the part are written before its SAVEPOINT; the part's
    // own as the last step of its body, so that a failure to write them undoes
    // the part (RELEASE runs outside TransactionDepth::part's try), and an
    // undone part forgets exactly its rows.
    depth_.part(
        [&] {
          body();
          write_held();
        },
        [&] {
          write_held();
          conn_.exec("SAVEPOINT part", "cannot start a savepoint");
        },
        [&] { conn_.exec("RELEASE part", "cannot release a savepoint"); },
        [&] { rollback_savepoint_quietly(); });
  }

  // Inside a transaction, or reads run together, an account is read once: a
  // batch of starts read its account and its app's owner for every start, two
  // round trips each (docs/performance.md, "Accounts read once per batch").
  // The rows are not locked, so another instance may change one meanwhile;
  // but every request of a batch (or group) had arrived before it began, so each decided on an
  // account as it stood at a moment between its arrival and its answer, as a
  // read of its own would. The transaction's own account writes, and an undone
  // savepoint, forget what was read.
  std::optional<Account> account(int64_t cdn_id) override {
    if (const auto* kept = keeping_accounts() ? accounts_read_.find(cdn_id) : nullptr) return *kept;
    auto read = first<Account>(run(account_by_id_, Params().add(cdn_id)), read_account);
    if (keeping_accounts()) accounts_read_.keep(cdn_id, read);
    return read;
  }

  std::optional<Account> account_by_username(const std::string& username) override {
    if (!pg::storable(username)) return std::nullopt;
    if (const auto* kept = keeping_accounts() ? accounts_read_.find(username) : nullptr)
      return *kept;
    auto read = first<Account>(run(account_by_username_, Params().add(username)), read_account);
    if (keeping_accounts()) accounts_read_.keep(username, read);
    return read;
  }

  std::vector<Account> accounts() override {
    return collect<Account>(run(all_accounts_), read_account);
  }

  bool insert_account(const Account& a) override {
    accounts_read_.forget();
    Params p;
    p.add(a.cdn_id)
        .add(a.username)
        .add(a.api_key)
        .add(a.secret)
        .add(a.active)
        .add(a.max_stream_users)
        .add(a.created);
    return run(insert_account_, p).affected() > 0;
  }

  bool set_account_secret(int64_t cdn_id, const std::string& secret) override {
    bool changed = false;
    accounts_read_.forget();
    transaction([&] {
      changed = run(set_account_secret_, Params().add(cdn_id).add(secret)).affected() > 0;
      run(delete_console_sessions_of_, Params().add(cdn_id));
    });
    return changed;
  }

  bool set_account_active(int64_t cdn_id, bool active) override {
    accounts_read_.forget();
    return run(set_account_active_, Params().add(cdn_id).add(active)).affected() > 0;
  }

  int64_t next_cdn_id() override {
    constexpr int64_t kFirstCdnId = 1000;
    const auto r = run(max_cdn_id_);
    const int64_t max = r.rows() ? r.int64(0, 0) : 0;  // NULL (no accounts) reads as 0
    if (max == std::numeric_limits<int64_t>::max()) throw StoreError("no cdn ids left");
    return std::max(max + 1, kFirstCdnId);
  }

  bool insert_ticket(Ticket& t) override {
    Params p;
    p.add(t.cdn_id)
        .add(t.key)
        .add(t.pass)
        .add(t.ip)
        .add(t.video)
        .add(t.app)
        .add(t.uses)
        .add(t.active)
        .add(t.created)
        .add(t.expires)
        .add(t.used)
        .add(t.max_viewers)
        .add(t.when_full);
    // Numbered ahead (read_ahead): held as an attempt row is, its id known
    // without a round trip. A key taken after all (keys are drawn at random)
    // fails the held statement, and with it the batch, which the group commit
    // then runs again in savepoints, each write on its own, where nothing is
    // numbered ahead and the insert below draws another key.
    if (const auto id = depth_.open() ? ticket_ids_.next() : std::nullopt) {
      Params numbered;
      numbered.add(*id);
      numbered.add(p);
      hold_row(held_tickets_, std::move(numbered));
      locked_.erase(t.key);  // if read ahead as not found
      t.id = *id;
      return true;
    }
    // ON CONFLICT instead of a caught error: an error would abort the whole
    // transaction around it, where SQLite goes on with the next key.
    const auto r = run(insert_ticket_, p);
    if (r.rows() == 0) return false;  // key collision
    t.id = r.int64(0, 0);
    return true;
  }

  // Inside a transaction the row is locked (FOR UPDATE) until it ends, so a
  // read-decide-update of its uses is exact however many instances start the
  // same ticket at once.
  std::optional<Ticket> ticket(int64_t cdn_id, const std::string& key) override {
    if (!pg::storable(key)) return std::nullopt;
    if (!locking())
      return first<Ticket>(run(ticket_by_account_key_, Params().add(cdn_id).add(key)), read_ticket);
    if (const auto known = locked_.find(key); known != locked_.end()) {
      if (known->second && known->second->cdn_id == cdn_id) return known->second;
      return std::nullopt;  // no such ticket, or another account's
    }
    return locked(key, run(ticket_by_account_key_locked_, Params().add(cdn_id).add(key)));
  }

  std::optional<Ticket> ticket_by_key(const std::string& key) override {
    if (!pg::storable(key)) return std::nullopt;
    if (!locking()) return first<Ticket>(run(ticket_by_key_, Params().add(key)), read_ticket);
    if (const auto known = locked_.find(key); known != locked_.end()) return known->second;
    return locked(key, run(ticket_by_key_locked_, Params().add(key)));
  }

  // One round trip for what a batch's writes will read, and the ids of the
  // rows they will make, instead of two a write (Store::read_ahead).
  //   - Tickets are locked in the order of their ids, so that two instances
  //     locking some of the same tickets cannot each wait for the other. A key
  //     not found is remembered as such: the request that names it arrived
  //     before this read, so it is answered as a read of its own a moment
  //     earlier would have been.
  //   - Kept replies: each signed write's lock (write_reply's), taken in the
  //     order of the locks' numbers, so that two batches read ahead cannot
  //     each wait for the other (a batch run again in savepoints locks in
  //     request order, as before), then the replies looked up by a statement
  //     that starts once every lock is held.
  //   - Ids come from the attempts' and the tickets' own sequences.
  bool gains_from_read_ahead() const override { return true; }

  void read_ahead(const BatchReads& batch) override {
    if (!locking()) return;
    std::vector<pg::Connection::Queued> reads;
    std::vector<std::function<void(const Result&)>> keep;  // one a statement
    read_tickets_ahead(batch.tickets, reads, keep);
    read_replies_ahead(batch.replies, reads, keep);
    take_ids_ahead(attempt_ids_ahead_, batch.attempt_rows, attempt_ids_, reads, keep);
    take_ids_ahead(ticket_ids_ahead_, batch.new_tickets, ticket_ids_, reads, keep);
    if (reads.empty()) return;
    const std::size_t sent = reads.size();
    const std::vector<Result> results = run_each(std::move(reads));
    for (std::size_t i = 0; i < sent; ++i) keep[i](results[results.size() - sent + i]);
  }

  std::vector<Ticket> tickets(int64_t cdn_id, const TicketFilter& f) override {
    if (!storable(f)) return {};
    Params p;
    p.add(cdn_id)
        .add(f.key)
        .add(f.pass)
        .add(f.ip)
        .add(f.video)
        .add(f.app)
        .add(f.uses)
        .add(f.active)
        .add(f.id)
        .add(not_negative(f.limit))
        .add(not_negative(f.offset))
        .add(f.created)
        .add(f.expires)
        .add(f.used);
    return collect<Ticket>(run(list_tickets_, p), read_ticket);
  }

  // The update of a ticket this transaction has read and locked (a start
  // spending a use) is held and sent with the next statement, in one round
  // trip (docs/performance.md, "A grant's update sent with its attempt row").
  // Its row cannot be gone: the lock keeps every other session from deleting
  // it, and nothing that may change a ticket ran here since (locked_). What
  // it writes is what the next read of the ticket here answers.
  bool update_ticket(const Ticket& t) override {
    if (!pg::storable(t.key)) return false;  // no such ticket can exist
    if (Ticket* row = depth_.open() ? locked_row(t) : nullptr) {
      hold_update(t);
      row->ip = t.ip;
      row->uses = t.uses;
      row->active = t.active;
      row->expires = t.expires;
      row->used = t.used;
      row->max_viewers = t.max_viewers;
      row->when_full = t.when_full;
      return true;
    }
    Params p;
    p.add(t.cdn_id).add(t.key).add(t.ip).add(t.uses).add(t.active).add(t.expires).add(t.used);
    p.add(t.max_viewers).add(t.when_full).add(t.id);
    return run(update_ticket_, p).affected() > 0;
  }

  bool delete_ticket(int64_t cdn_id, const std::string& key) override {
    if (!pg::storable(key)) return false;
    return run(delete_ticket_, Params().add(cdn_id).add(key)).affected() > 0;
  }

  // A row numbered ahead (read_ahead) is held as hold_attempt holds one:
  // its id is known without a round trip. A row that then cannot be written
  // fails the write that held it in the same way (write_held).
  int64_t insert_attempt(const Attempt& a) override {
    if (const auto id = depth_.open() ? attempt_ids_.next() : std::nullopt) {
      hold_row(id, a);
      return *id;
    }
    return run(insert_attempt_, attempt_row(std::nullopt, a)).int64(0, 0);
  }

  // Held until the next statement, the end of the savepoint part, the group
  // commit's write_held, the COMMIT or kMostHeldRows rows, whichever comes
  // first, then written as few statements as take_held can make of them, in
  // the round trip of the statement that comes next. The values are checked
  // now, so that text PostgreSQL cannot store fails this call, not a later
  // statement's.
  void hold_attempt(const Attempt& a) override {
    if (!depth_.open()) {
      insert_attempt(a);  // no transaction to hold it in
      return;
    }
    hold_row(attempt_ids_.next(), a);
  }

  std::vector<Attempt> attempts(int64_t cdn_id, const AttemptFilter& f) override {
    if (!storable(f)) return {};
    Params p = attempt_filter(cdn_id, f);
    p.add(not_negative(f.limit)).add(not_negative(f.offset));
    return collect<Attempt>(run(f.key ? list_attempts_by_key_ : list_attempts_, p), read_attempt);
  }

  int64_t count_attempts(int64_t cdn_id, const AttemptFilter& f) override {
    if (!storable(f)) return 0;
    if (!f.key && !f.app && !f.video && !f.ip && !f.pass) return count_from_totals(cdn_id, f);
    const auto r = run(f.key ? count_attempts_by_key_ : count_attempts_, attempt_filter(cdn_id, f));
    return r.int64(0, 0);
  }

  std::vector<Attempt> attempts_after(int64_t after_id, const std::optional<int64_t>& cdn_id,
                                      const std::optional<std::string>& key,
                                      int64_t limit) override {
    if (!pg::storable(key)) return {};
    Params p;
    p.add(after_id).add(cdn_id).add(key).add(not_negative(limit));
    return collect<Attempt>(run(attempts_after_, p), read_attempt);
  }

  std::vector<Attempt> find_attempts(const AttemptQuery& q) override {
    if (!storable(q)) return {};
    Params p = attempt_query(q);
    p.add(q.after_id ? *q.after_id : q.before_id.value_or(std::numeric_limits<int64_t>::max()))
        .add(not_negative(q.limit));
    return collect<Attempt>(run(q.after_id ? console_attempts_after_ : console_attempts_before_, p),
                            read_attempt);
  }

  std::vector<AttemptBucket> attempt_timeline(const AttemptQuery& q, int64_t start,
                                              int64_t step) override {
    if (!storable(q)) return {};
    Params p = attempt_query(q);
    p.add(start).add(std::max<int64_t>(step, 1));
    return collect<AttemptBucket>(run(attempt_timeline_, p), [](const Result& r, int i) {
      return AttemptBucket{r.int64(i, 0), r.boolean(i, 1), r.text(i, 2), r.int64(i, 3)};
    });
  }

  std::vector<Ticket> search_tickets(int64_t cdn_id, const std::string& q, int64_t offset,
                                     int64_t limit) override {
    if (!pg::storable(q)) return {};
    Params p;
    p.add(cdn_id).add(q).add(not_negative(limit)).add(not_negative(offset));
    return collect<Ticket>(run(search_tickets_, p), read_ticket);
  }

  int64_t count_tickets_matching(int64_t cdn_id, const std::string& q) override {
    if (!pg::storable(q)) return 0;
    return run(count_tickets_matching_, Params().add(cdn_id).add(q)).int64(0, 0);
  }

  void insert_console_session(const ConsoleSession& c) override {
    Params p;
    p.add(c.token_hash).add(c.cdn_id).add(c.created).add(c.expires);
    run(insert_console_session_, p);
  }

  std::optional<ConsoleSession> console_session(const std::string& token_hash) override {
    if (!pg::storable(token_hash)) return std::nullopt;
    const auto r = run(console_session_, Params().add(token_hash));
    if (r.rows() == 0) return std::nullopt;
    return ConsoleSession{r.text(0, 0), r.int64(0, 1), r.int64(0, 2), r.int64(0, 3)};
  }

  bool delete_console_session(const std::string& token_hash) override {
    if (!pg::storable(token_hash)) return false;
    return run(delete_console_session_, Params().add(token_hash)).affected() > 0;
  }

  int64_t delete_expired_console_sessions(int64_t now, int64_t limit) override {
    return run(delete_expired_console_sessions_, Params().add(now).add(not_negative(limit)))
        .affected();
  }

  bool insert_stream_user(StreamUser& u) override {
    Params p;
    p.add(u.cdn_id);
    add_stream_user_fields(p, u);
    p.add(u.created);
    const auto r = run(insert_stream_user_, p);
    if (r.rows() == 0) return false;  // same user on this app+stream
    u.id = r.int64(0, 0);
    return true;
  }

  std::optional<StreamUser> stream_user(int64_t cdn_id, int64_t id) override {
    return first<StreamUser>(run(stream_user_by_id_, Params().add(id).add(cdn_id)),
                             read_stream_user);
  }

  std::vector<StreamUser> stream_users(int64_t cdn_id, const std::optional<std::string>& app,
                                       const std::optional<std::string>& stream) override {
    if (!pg::storable(app) || !pg::storable(stream)) return {};
    return collect<StreamUser>(run(list_stream_users_, Params().add(cdn_id).add(app).add(stream)),
                               read_stream_user);
  }

  std::vector<StreamUser> publish_candidates(const std::string& app,
                                             const std::string& stream) override {
    if (!pg::storable(app) || !pg::storable(stream)) return {};
    return collect<StreamUser>(run(publish_candidates_, Params().add(app).add(stream)),
                               read_stream_user);
  }

  // False when the row does not exist for this account, or when the change
  // would duplicate a user name on the same app+stream. UPDATE has no ON
  // CONFLICT, so inside a transaction the statement runs in a savepoint of
  // its own: its unique violation must not abort the caller's transaction.
  bool update_stream_user(const StreamUser& u) override {
    Params p;
    p.add(u.id).add(u.cdn_id);
    add_stream_user_fields(p, u);
    bool updated = false;
    try {
      savepoint([&] { updated = run(update_stream_user_, p).affected() > 0; });
    } catch (const pg::Error& e) {
      if (e.sqlstate == "23505") return false;
      throw;
    }
    return updated;
  }

  bool delete_stream_user(int64_t cdn_id, int64_t id) override {
    return run(delete_stream_user_, Params().add(id).add(cdn_id)).affected() > 0;
  }

  // Inside a transaction the account row is locked first, so that a count
  // checked against max_stream_users and the insert after it are exact across
  // instances, as SQLite's single writer makes them.
  int64_t count_stream_users(int64_t cdn_id) override {
    if (locking()) run(lock_account_, Params().add(cdn_id));
    return run(count_stream_users_, Params().add(cdn_id)).int64(0, 0);
  }

  // Inside a transaction, first waits for any other transaction on the same
  // account and signature to end (an advisory lock held until commit), so two
  // identical signed writes on two instances run the command once: the second
  // reads the first's reply. Two statements: the SELECT's snapshot must be
  // taken after the lock is granted, as it is when PostgreSQL starts it, the
  // lock's statement done; so both go in one round trip.
  std::optional<WriteReply> write_reply(int64_t cdn_id, int64_t signed_at,
                                        const std::string& signature) override {
    if (!pg::storable(signature)) return std::nullopt;
    if (depth_.open()) {
      // Read ahead (read_ahead) under the lock this transaction holds, as
      // it now stands.
      const auto known = replies_read_.find(ReplyKey{cdn_id, signed_at, signature});
      if (known != replies_read_.end()) return known->second;
    }
    Params lock;
    lock.add(cdn_id).add(signature);
    Params p = lock;
    p.add(signed_at);  // the lookup's $3
    if (depth_.open()) hold(lock_write_reply_, std::move(lock));
    return first<WriteReply>(run(write_reply_, p), read_write_reply);
  }

  // Inside a transaction the reply is held and sent with the next statement,
  // as an update of a locked ticket is (update_ticket): nothing waits on its
  // answer, and a repeat of the write looks it up with a statement that comes
  // after it.
  void insert_write_reply(const WriteReply& r) override {
    Params p;
    p.add(r.cdn_id)
        .add(r.signature)
        .add(r.expires)
        .add(r.held)
        .add(r.code)
        .add(r.message)
        .add(r.payload)
        .add(r.signed_at);
    if (depth_.open()) {
      hold_row(held_replies_, std::move(p));
    } else {
      run(insert_write_reply_, p);
    }
    // A reply read ahead (under this transaction's lock) is answered as now
    // written; no other is kept, so that a long transaction (a store's copy)
    // does not keep every reply it writes.
    if (!depth_.open()) return;
    const auto known = replies_read_.find(ReplyKey{r.cdn_id, r.signed_at, r.signature});
    if (known != replies_read_.end()) known->second = r;
  }

  int64_t delete_write_replies_signed_before(int64_t before, int64_t limit) override {
    return stale_probe_(before, limit, [&] {
      for (auto it = replies_read_.begin(); it != replies_read_.end();)
        it = it->first.signed_at < before ? replies_read_.erase(it) : std::next(it);
      return run(delete_write_replies_signed_before_, Params().add(before).add(not_negative(limit)))
          .affected();
    });
  }

  std::optional<ViewingSession> session_row(const std::string& id) override {
    if (!pg::storable(id)) return std::nullopt;
    return first<ViewingSession>(run(viewing_session_, Params().add(id)), read_viewing_session);
  }

  // Inside a transaction held as a row, as a kept reply is
  // (insert_write_reply): a granted start's session row goes with the next
  // start's read, or the batch's end, many to a statement. Each save sets
  // every column, so a session saved again before they go is sent once, as
  // it last stood (one upsert cannot touch a row twice).
  void save_viewing_session(const ViewingSession& s) override {
    if (!depth_.open()) {
      run(save_viewing_session_, viewing_session_params(s));
      return;
    }
    const auto [at, added] = held_session_at_.emplace(s.id, held_sessions_.rows.size());
    if (!added) {
      held_sessions_.rows[at->second] = viewing_session_params(s);
      return;
    }
    hold_row(held_sessions_, viewing_session_params(s));
  }

  bool add_session_row(const ViewingSession& s) override {
    return run(add_viewing_session_, viewing_session_params(s)).affected() > 0;
  }

  static Params viewing_session_params(const ViewingSession& s) {
    Params p;
    p.add(s.id).add(s.cdn_id).add(s.key).add(s.ip).add(s.app).add(s.video).add(s.media_server);
    p.add(s.protocol).add(s.client_ref).add(s.started).add(s.last_seen).add(s.lapse).add(s.ended);
    p.add(s.end_reason).add(s.opened);
    return p;
  }

  bool touch_session_row(const std::string& id, int64_t last_seen) override {
    if (!pg::storable(id)) return false;
    return run(touch_viewing_session_, Params().add(id).add(last_seen)).affected() > 0;
  }

  bool end_session_row(const std::string& id, int64_t now, const std::string& reason) override {
    if (!pg::storable(id)) return false;
    return run(end_viewing_session_, Params().add(id).add(now).add(reason)).affected() > 0;
  }

  void delete_viewing_session(const std::string& id) override {
    if (!pg::storable(id)) return;
    run(delete_viewing_session_, Params().add(id));
  }

  std::vector<ViewingSession> live_session_rows(int64_t cdn_id, const std::string& key,
                                                int64_t now) override {
    if (!pg::storable(key)) return {};
    return collect<ViewingSession>(run(live_viewing_sessions_, Params().add(cdn_id).add(key).add(now)),
                                   read_viewing_session);
  }

  std::optional<Attempt> attempt_keeping_session(int64_t attempt_id) override {
    return first<Attempt>(run(attempt_keeping_session_, Params().add(attempt_id)), read_attempt);
  }

  std::vector<Attempt> attempts_keeping_live_sessions(int64_t cdn_id, const std::string& key,
                                                      int64_t now) override {
    if (!pg::storable(key)) return {};
    Params p;
    p.add(cdn_id).add(key).add(now);
    p.add(std::string(kAttemptSessionPrefix));
    return collect<Attempt>(run(attempts_keeping_live_sessions_, p), read_attempt);
  }

  std::optional<Attempt> newest_attempt_keeping_session_of(const Attempt& viewer,
                                                           int64_t now) override {
    if (!storable_viewer(viewer)) return std::nullopt;
    Params p;
    p.add(viewer.cdn_id).add(viewer.key).add(now).add(viewer.pass).add(viewer.ip);
    p.add(viewer.app).add(viewer.video).add(viewer.media_server);
    return first<Attempt>(run(newest_attempt_keeping_session_of_, p), read_attempt);
  }

  std::optional<ViewingSession> newest_unnamed_session_row_of(const Attempt& viewer,
                                                              int64_t now) override {
    if (!storable_viewer(viewer)) return std::nullopt;
    Params p;
    p.add(viewer.cdn_id).add(viewer.key).add(now).add(viewer.ip).add(viewer.app);
    p.add(viewer.video).add(viewer.media_server).add(std::string(kAttemptSessionPrefix));
    return first<ViewingSession>(run(newest_unnamed_session_row_of_, p), read_viewing_session);
  }

  int64_t delete_idle_viewing_sessions(int64_t before, int64_t limit) override {
    return idle_probe_(before, limit, [&] {
      return run(delete_idle_viewing_sessions_, Params().add(before).add(not_negative(limit)))
          .affected();
    });
  }

  void reset_data() override {
    transaction([&] { run(reset_); });
  }

  bool mark_seeded(const std::string& name, int64_t now) override {
    return run(mark_seeded_, Params().add(name).add(now)).affected() > 0;
  }

  // A copy of one moment into a new SQLite file (docs/operations.md,
  // "Backups"): read in one REPEATABLE READ, READ ONLY transaction, so each
  // write of the running servers is in it whole or not at all, and written
  // by copy_store, which verifies the counts. The file serves as it is, or
  // goes back into an empty PostgreSQL database with migrate-store.
  void backup_to(const std::string& dest) override {
    if (depth_.open()) throw StoreError("a backup runs outside any transaction");
    create_backup_file(dest);
    try {
      std::unique_ptr<Store> copy = open_sqlite_store(dest);
      snapshot_ = true;  // its reads take no locks: it holds up no writer
      accounts_read_.forget();
      depth_.outermost([&] { copy_store(*this, *copy); },
                       [&] { begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); },
                       [&] { commit(); }, [&] { rollback_quietly(); });
      snapshot_ = false;
    } catch (...) {
      snapshot_ = false;
      for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((dest + suffix).c_str());
      throw;
    }
  }

  std::vector<WriteReply> write_replies() override {
    return collect<WriteReply>(run(all_write_replies_), read_write_reply);
  }

  std::vector<SeedMark> seed_marks() override {
    return collect<SeedMark>(run(all_seed_marks_), [](const Result& r, int i) {
      return SeedMark{r.text(i, 0), r.int64(i, 1)};
    });
  }

  void copy_in(const Ticket& t) override {
    Params p;
    p.add(t.id)
        .add(t.cdn_id)
        .add(t.key)
        .add(t.pass)
        .add(t.ip)
        .add(t.video)
        .add(t.app)
        .add(t.uses)
        .add(t.active)
        .add(t.created)
        .add(t.expires)
        .add(t.used)
        .add(t.max_viewers)
        .add(t.when_full);
    run(copy_ticket_, p);
  }

  void copy_in(const Attempt& a) override { run(copy_attempt_, attempt_row(a.id, a)); }

  // The identities' sequences; one never drawn from has no last value (NULL,
  // read as 0).
  IdsHandedOut ids_handed_out() override {
    const auto r = run(ids_handed_out_);
    return {r.int64(0, 0), r.int64(0, 1)};
  }

  void hand_out_ids_after(const IdsHandedOut& ids) override {
    transaction([&] {
      if (ids.tickets > 0) run(hand_out_tickets_after_, Params().add(ids.tickets));
      if (ids.stream_users > 0) run(hand_out_stream_users_after_, Params().add(ids.stream_users));
    });
  }

  void copy_in(const StreamUser& u) override {
    Params p;
    p.add(u.id).add(u.cdn_id);
    add_stream_user_fields(p, u);
    p.add(u.created);
    run(copy_stream_user_, p);
  }

 private:
  // The rows of one table held in the open transaction, written as INSERTs
  // each taking the largest power of two of them left: at most one statement
  // per bit of kMostHeldRows, from a fixed set of prepared statements.
  struct HeldRows {
    std::vector<pg::Statement> by_size;  // kMostHeldRows, half as many, ..., 1 rows
    std::vector<Params> rows;            // the open transaction's, in order

    void take(std::vector<pg::Connection::Queued>& into) {
      std::size_t written = 0;
      while (written < rows.size()) {
        std::size_t size = kMostHeldRows, statement = 0;
        while (size > rows.size() - written) {
          size /= 2;
          ++statement;
        }
        Params p;
        for (std::size_t row = written; row < written + size; ++row) p.add(rows[row]);
        into.push_back({&by_size[statement], std::move(p)});
        written += size;
      }
      rows.clear();
    }
  };

  // Outside a transaction a lost connection is reopened before the statement;
  // inside one it is not (the statement fails, the transaction rolls back), so
  // nothing runs half in a dead transaction and half outside it. A read outside
  // a transaction that meets a connection the database dropped (it restarted)
  // is tried once more on a new one: reading twice changes nothing. A write is
  // not, as it may have committed before the connection broke.
  Result run(const pg::Statement& s, const Params& p = Params()) {
    if (depth_.open()) {
      std::vector<Result> results = run_each({{&s, p}});  // with what is held
      return std::move(results.back());
    }
    conn_.ensure_open();
    try {
      return conn_.run(s, p);
    } catch (const StoreError&) {
      if (!conn_.lost() || s.sql.compare(0, 7, "SELECT ") != 0) throw;
    }
    conn_.ensure_open();
    return conn_.run(s, p);
  }

  // A BEGIN that meets a connection the database dropped (it restarted) has
  // done nothing yet, so it reconnects and tries once more.
  // Reads inside a write transaction lock what they read (a ticket's row, an
  // account's): not those of a backup's read-only snapshot.
  bool locking() const { return depth_.open() && !snapshot_; }
  bool keeping_accounts() const { return depth_.open() || together_; }

  void begin(const char* statement = "BEGIN") {
    conn_.ensure_open();
    try {
      conn_.exec(statement, "cannot begin a transaction");
    } catch (const StoreError&) {
      if (!conn_.lost()) throw;
      conn_.ensure_open();
      conn_.exec(statement, "cannot begin a transaction");
    }
  }

  // A transaction in which a statement failed (and whose failure the body
  // swallowed) answers COMMIT with ROLLBACK: that is a failure too.
  void commit() {
    write_held();
    const auto r = conn_.exec("COMMIT", "cannot commit");
    if (r.command() != "COMMIT")
      throw StoreError("transaction rolled back: a statement in it had failed");
  }

  void rollback_quietly() noexcept {
    forget_held();
    if (conn_.lost() || !conn_.in_transaction()) return;
    try {
      conn_.exec("ROLLBACK", "cannot roll back");
    } catch (...) {  // the original exception is the one worth reporting
    }
  }

  // The rows held now were held inside the part: SAVEPOINT had those before it
  // written.
  void rollback_savepoint_quietly() noexcept {
    forget_held();
    accounts_read_.forget();  // it may have read the part's own account writes
    if (conn_.lost()) return;
    try {
      conn_.exec("ROLLBACK TO part", "cannot roll back a savepoint");
      conn_.exec("RELEASE part", "cannot release a savepoint");
    } catch (...) {  // the outer commit will fail and say so
    }
  }

  static Params attempt_filter(int64_t cdn_id, const AttemptFilter& f) {
    Params p;
    p.add(cdn_id)
        .add(f.key)
        .add(f.since.value_or(std::numeric_limits<int64_t>::min()))
        .add(f.app)
        .add(f.video)
        .add(f.ip)
        .add(f.pass)
        .add(f.success);
    return p;
  }

  static Params attempt_query(const AttemptQuery& q) {
    Params p;
    p.add(q.cdn_id).add(q.from).add(q.to).add(q.key).add(q.app).add(q.video).add(q.ip);
    p.add(q.reason).add(q.success);
    return p;
  }

  // As sqlite_store.cpp: whole hours from attempt_counts, the cut hour from rows.
  int64_t count_from_totals(int64_t cdn_id, const AttemptFilter& f) {
    constexpr int64_t kHour = 3600;
    const int64_t since = std::max<int64_t>(f.since.value_or(0), 0);
    const int64_t first_whole_hour = (since + kHour - 1) / kHour;
    int64_t n =
        run(sum_attempt_counts_, Params().add(cdn_id).add(first_whole_hour).add(f.success))
            .int64(0, 0);
    if (since % kHour == 0) return n;
    Params p;
    p.add(cdn_id).add(since).add(first_whole_hour * kHour).add(f.success);
    return n + run(count_attempts_between_, p).int64(0, 0);
  }

  // An attempt's row in columns::kAttempt's order: its id (nullopt: the
  // sequence's next, as the column's default would be), then its values.
  static Params attempt_row(std::optional<int64_t> id, const Attempt& a) {
    Params p;
    p.add(id)
        .add(a.cdn_id)
        .add(a.datetime)
        .add(a.key)
        .add(a.pass)
        .add(a.ip)
        .add(a.video)
        .add(a.app)
        .add(a.appinst)
        .add(a.pageurl)
        .add(a.refurl)
        .add(a.success)
        .add(a.reason)
        .add(a.server)
        .add(a.session_lapse)
        .add(a.media_server)
        .add(a.protocol);
    return p;
  }
  static constexpr int kAttemptRowParams = 17;

  // An INSERT of `rows` attempts, their values from $1 on, attempt_row's
  // order (columns::kAttempt's) row after row. A NULL id is the sequence's
  // next, as the column's default would be.
  static std::string insert_attempts_sql(std::size_t rows) {
    return values_sql("INSERT INTO attempts (" + columns::kAttempt + ")", rows, kAttemptRowParams,
                      std::string("::bigint, nextval('") + kAttemptIds + "'))");
  }

  // `into` VALUES `rows` rows of `columns` parameters each, numbered from $1
  // row after row. With `first_as`, a row's first value is
  // COALESCE($n`first_as`.
  static std::string values_sql(const std::string& into, std::size_t rows, int columns,
                                const std::string& first_as = {}) {
    std::string sql = into + " VALUES ";
    int n = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      sql += row ? ", (" : "(";
      const std::string first = "$" + std::to_string(++n);
      sql += first_as.empty() ? first : "COALESCE(" + first + first_as;
      for (int column = 1; column < columns; ++column) sql += ", $" + std::to_string(++n);
      sql += ")";
    }
    return sql;
  }
  static constexpr const char* kNumberedTicketColumns =
      "tickets (id, cdn_id, key, pass, ip, video, app, uses, active, created, expires, used, "
      "max_viewers, when_full)";
  static std::string insert_numbered_tickets_sql(std::size_t rows) {
    return values_sql(std::string("INSERT INTO ") + kNumberedTicketColumns, rows, 14);
  }
  static std::string save_viewing_sessions_sql(std::size_t rows) {
    return values_sql("INSERT INTO viewing_sessions (" + columns::kViewingSession + ")", rows, 15) +
           " ON CONFLICT (id) DO UPDATE SET cdn_id = excluded.cdn_id, key = excluded.key,"
           " ip = excluded.ip, app = excluded.app, video = excluded.video,"
           " media_server = excluded.media_server, protocol = excluded.protocol,"
           " client_ref = excluded.client_ref, started = excluded.started,"
           " last_seen = excluded.last_seen, lapse = excluded.lapse, ended = excluded.ended,"
           " end_reason = excluded.end_reason, opened = excluded.opened";
  }
  static std::string insert_write_replies_sql(std::size_t rows) {
    return values_sql("INSERT INTO write_replies (" + columns::kWriteReply + ")", rows, 8);
  }

  void read_tickets_ahead(const std::vector<std::string_view>& keys,
                          std::vector<pg::Connection::Queued>& reads,
                          std::vector<std::function<void(const Result&)>>& keep) {
    std::vector<std::string> asked;
    for (std::string_view key : keys) {
      std::string k(key);
      if (locked_.count(k) == 0 && pg::storable(k)) asked.push_back(std::move(k));
    }
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    if (asked.empty()) return;
    reads.push_back({&tickets_by_keys_locked_, Params().add(text_array(asked))});
    keep.push_back([this, asked = std::move(asked)](const Result& r) mutable {
      for (int i = 0; i < r.rows(); ++i) {
        Ticket t = read_ticket(r, i);
        std::string key = t.key;
        locked_[std::move(key)] = std::move(t);
      }
      for (auto& key : asked) locked_.emplace(std::move(key), std::nullopt);
    });
  }

  void read_replies_ahead(const std::vector<ReplyAsked>& replies,
                          std::vector<pg::Connection::Queued>& reads,
                          std::vector<std::function<void(const Result&)>>& keep) {
    std::vector<ReplyKey> asked;
    for (const ReplyAsked& r : replies) {
      ReplyKey key{r.cdn_id, r.signed_at, std::string(r.signature)};
      if (replies_read_.count(key) == 0 && pg::storable(key.signature))
        asked.push_back(std::move(key));
    }
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    if (asked.empty()) return;
    std::vector<std::string> cdn_ids, signed_ats, signatures;
    for (const ReplyKey& key : asked) {
      cdn_ids.push_back(std::to_string(key.cdn_id));
      signed_ats.push_back(std::to_string(key.signed_at));
      signatures.push_back(key.signature);
    }
    reads.push_back(
        {&lock_write_replies_, Params().add(text_array(cdn_ids)).add(text_array(signatures))});
    keep.push_back([](const Result&) {});
    reads.push_back({&write_replies_by_keys_, Params()
                                                  .add(text_array(signed_ats))
                                                  .add(text_array(cdn_ids))
                                                  .add(text_array(signatures))});
    keep.push_back([this, asked = std::move(asked)](const Result& r) mutable {
      for (auto& key : asked) replies_read_.emplace(std::move(key), std::nullopt);
      for (int i = 0; i < r.rows(); ++i) {
        WriteReply reply = read_write_reply(r, i);
        replies_read_[ReplyKey{reply.cdn_id, reply.signed_at, reply.signature}] = std::move(reply);
      }
    });
  }

  // `rows` ids from a sequence (at most a batch's worth) onto `ids`.
  void take_ids_ahead(const pg::Statement& from, std::size_t rows, IdsAhead& ids,
                      std::vector<pg::Connection::Queued>& reads,
                      std::vector<std::function<void(const Result&)>>& keep) {
    const auto count = static_cast<int64_t>(std::min(rows, kMostIdsAhead));
    if (count == 0) return;
    reads.push_back({&from, Params().add(count)});
    keep.push_back([&ids](const Result& r) {
      for (int i = 0; i < r.rows(); ++i) ids.taken.push_back(r.int64(i, 0));
    });
  }

  // The held rows, written before the next statement (take_held).
  void hold_row(std::optional<int64_t> id, const Attempt& a) {
    hold_row(held_attempts_, attempt_row(id, a));
  }

  void hold_row(HeldRows& rows, Params row) {
    rows.rows.push_back(std::move(row));
    if (rows.rows.size() == kMostHeldRows) write_held();
  }

  // statements after what is held, in one round trip: every result, theirs
  // last.
  std::vector<Result> run_each(std::vector<pg::Connection::Queued> statements) {
    std::vector<pg::Connection::Queued> all = take_held();
    for (auto& s : statements) {
      if (!leaves_tickets(*s.statement)) locked_.clear();
      all.push_back(std::move(s));
    }
    return conn_.run_each(all);
  }

  // What is held, sent in one round trip. On failure it is forgotten:
  // PostgreSQL has aborted the transaction, or the part, it was held in, and
  // the group commit writes an answered write's rows again.
  void write_held() override {
    if (holding()) conn_.run_each(take_held());
  }

  bool holding() const {
    return !held_.empty() || !held_updates_.empty() || !held_tickets_.rows.empty() ||
           !held_sessions_.rows.empty() || !held_replies_.rows.empty() ||
           !held_attempts_.rows.empty();
  }

  // A locked ticket's new state, written with the others held in one UPDATE
  // (take_held): a statement of its own each cost the database more than the
  // row (docs/performance.md, "A batch's ticket updates in one statement").
  // A ticket updated twice in the transaction is written once, as it last
  // stands: nothing here reads it back from the database meanwhile (locked_
  // answers its reads).
  void hold_update(const Ticket& t) {
    held_updates_[t.id] = t;
    if (held_updates_.size() == kMostHeld) write_held();
  }

  // Inside a transaction only: outside one a statement must run at once.
  // Bounded, as held attempt rows are, so that a long transaction (a copy of
  // a whole store) does not keep every statement in memory for one round trip.
  void hold(const pg::Statement& s, Params p) {
    held_.push_back({&s, std::move(p)});
    if (held_.size() == kMostHeld) write_held();
  }

  // The held new tickets first (what else is held may name them), then the
  // held statements in the order they were held, the tickets' updates, the
  // session rows, the kept replies and the attempt rows.
  std::vector<pg::Connection::Queued> take_held() {
    std::vector<pg::Connection::Queued> statements;
    held_tickets_.take(statements);
    for (auto& s : held_) statements.push_back(std::move(s));
    held_.clear();
    if (!held_updates_.empty()) statements.push_back({&update_tickets_, take_held_updates()});
    held_sessions_.take(statements);
    held_session_at_.clear();
    held_replies_.take(statements);
    held_attempts_.take(statements);
    return statements;
  }

  // The held updates as update_tickets_'s arrays, one per column.
  Params take_held_updates() {
    std::vector<int64_t> ids, cdn_ids, uses, actives, expires, used, max_viewers;
    std::vector<std::string> keys, ips, when_full;
    for (const auto& [id, t] : held_updates_) {
      ids.push_back(id);
      cdn_ids.push_back(t.cdn_id);
      keys.push_back(t.key);
      ips.push_back(t.ip);
      uses.push_back(t.uses);
      actives.push_back(t.active);
      expires.push_back(t.expires);
      used.push_back(t.used);
      max_viewers.push_back(t.max_viewers);
      when_full.push_back(t.when_full);
    }
    held_updates_.clear();
    Params p;
    p.add(number_array(ids)).add(number_array(cdn_ids)).add(text_array(keys));
    p.add(text_array(ips)).add(number_array(uses)).add(number_array(actives));
    p.add(number_array(expires)).add(number_array(used)).add(number_array(max_viewers));
    p.add(text_array(when_full));
    return p;
  }

  void forget_held() noexcept {
    held_tickets_.rows.clear();
    held_replies_.rows.clear();
    held_sessions_.rows.clear();
    held_session_at_.clear();
    held_attempts_.rows.clear();
    held_updates_.clear();
    held_.clear();
    locked_.clear();  // an undone part's locks went with it
    replies_read_.clear();  // and the replies it wrote
  }

  // A ticket read with FOR UPDATE, kept until a statement that may change a
  // ticket, so that its update may be held (update_ticket) and its next read
  // answered here. Not found under one account says nothing of the key under
  // another, so only a ticket found is kept.
  std::optional<Ticket> locked(const std::string& key, const Result& r) {
    std::optional<Ticket> t = first<Ticket>(r, read_ticket);
    if (t) locked_[key] = t;
    return t;
  }

  // The kept row that update_ticket's WHERE names, if it is one read FOR
  // UPDATE here.
  Ticket* locked_row(const Ticket& t) {
    const auto known = locked_.find(t.key);
    if (known == locked_.end() || !known->second) return nullptr;
    Ticket& row = *known->second;
    return row.id == t.id && row.cdn_id == t.cdn_id ? &row : nullptr;
  }

  // Statements a start runs after reading its ticket that cannot change a
  // ticket's row: the tickets read locked stay as kept across them. Any other
  // that is not a SELECT forgets them. A trigger on attempts or
  // viewing_sessions that changed tickets would break this; a test checks
  // those tables have only the hourly totals' triggers.
  bool leaves_tickets(const pg::Statement& s) const {
    return s.sql.compare(0, 7, "SELECT ") == 0 || &s == &insert_attempt_ ||
           &s == &save_viewing_session_ || &s == &end_viewing_session_ ||
           &s == &touch_viewing_session_ || &s == &delete_idle_viewing_sessions_;
  }

  // A text[] literal of texts PostgreSQL can store: each quoted, with " and
  // \ escaped, so that no key is read as a separator or NULL.
  static std::string text_array(const std::vector<std::string>& texts) {
    std::string literal = "{";
    for (const auto& text : texts) {
      if (literal.size() > 1) literal += ',';
      literal += '"';
      for (char c : text) {
        if (c == '"' || c == '\\') literal += '\\';
        literal += c;
      }
      literal += '"';
    }
    return literal + "}";
  }

  static std::string number_array(const std::vector<int64_t>& numbers) {
    std::string literal = "{";
    for (const int64_t n : numbers) {
      if (literal.size() > 1) literal += ',';
      literal += std::to_string(n);
    }
    return literal + "}";
  }

  // Names are per connection; the counter gives each statement its own.
  pg::Statement statement(std::string sql) {
    return {"sevu_" + std::to_string(next_statement_++), std::move(sql)};
  }

  pg::Connection conn_;
  TransactionDepth depth_;
  bool snapshot_ = false;  // a backup's read-only snapshot is open (backup_to)
  // Housekeeping probes not repeated for a moment that found nothing
  // (store/forget_probe.hpp).
  ForgetProbe idle_probe_, stale_probe_;
  int next_statement_ = 0;
  // Statements whose answer nobody waits for, held in the open transaction
  // and sent with the next one: a signed write's lock. New tickets, session
  // rows, kept replies and attempt rows are held as rows (HeldRows), a locked
  // ticket's update in held_updates_.
  std::vector<pg::Connection::Queued> held_;
  std::map<int64_t, Ticket> held_updates_;  // hold_update's, by ticket id
  // The tickets read FOR UPDATE in the open transaction, by key, as they now
  // stand (its held updates included); nullopt: read ahead and not found.
  std::map<std::string, std::optional<Ticket>, std::less<>> locked_;
  IdsAhead attempt_ids_;  // from the attempts' sequence
  IdsAhead ticket_ids_;   // from the tickets'
  // The kept replies read ahead under this transaction's locks (nullopt: none
  // kept), as this transaction has since written them; forgotten at its start
  // and with an undone savepoint. No statement but a reply's insert changes
  // them.
  struct ReplyKey {
    int64_t cdn_id = 0;
    int64_t signed_at = 0;
    std::string signature;
    bool operator<(const ReplyKey& o) const {
      return std::tie(cdn_id, signed_at, signature) < std::tie(o.cdn_id, o.signed_at, o.signature);
    }
    bool operator==(const ReplyKey& o) const {
      return std::tie(cdn_id, signed_at, signature) == std::tie(o.cdn_id, o.signed_at, o.signature);
    }
  };
  std::map<ReplyKey, std::optional<WriteReply>> replies_read_;
  AccountMemo accounts_read_;  // the open transaction's (or read_together's) account reads
  bool together_ = false;      // inside read_together

  const pg::Statement reset_ = statement(
      "TRUNCATE attempts, attempt_counts, tickets, stream_users, write_replies, viewing_sessions");

  const pg::Statement account_by_id_ =
      statement("SELECT " + columns::kAccount + " FROM accounts WHERE cdn_id = $1");
  const pg::Statement account_by_username_ =
      statement("SELECT " + columns::kAccount + " FROM accounts WHERE username = $1");
  const pg::Statement all_accounts_ =
      statement("SELECT " + columns::kAccount + " FROM accounts ORDER BY cdn_id");
  const pg::Statement insert_account_ =
      statement("INSERT INTO accounts (" + columns::kAccount +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING");
  const pg::Statement set_account_secret_ =
      statement("UPDATE accounts SET secret = $2 WHERE cdn_id = $1");
  const pg::Statement set_account_active_ =
      statement("UPDATE accounts SET active = $2 WHERE cdn_id = $1");
  const pg::Statement max_cdn_id_ = statement("SELECT MAX(cdn_id) FROM accounts");
  const pg::Statement lock_account_ =
      statement("SELECT 1 FROM accounts WHERE cdn_id = $1 FOR UPDATE");

  const pg::Statement insert_ticket_ = statement(
      "INSERT INTO tickets (cdn_id, key, pass, ip, video, app, uses, active, created, expires, "
      "used, max_viewers, when_full) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
      "$13) ON CONFLICT (key) DO NOTHING RETURNING id");
  const pg::Statement ticket_by_account_key_ =
      statement("SELECT " + columns::kTicket + " FROM tickets WHERE cdn_id = $1 AND key = $2");
  const pg::Statement ticket_by_account_key_locked_ = statement(
      "SELECT " + columns::kTicket + " FROM tickets WHERE cdn_id = $1 AND key = $2 FOR UPDATE");
  const pg::Statement ticket_by_key_ =
      statement("SELECT " + columns::kTicket + " FROM tickets WHERE key = $1");
  const pg::Statement ticket_by_key_locked_ =
      statement("SELECT " + columns::kTicket + " FROM tickets WHERE key = $1 FOR UPDATE");
  const pg::Statement tickets_by_keys_locked_ =
      statement("SELECT " + columns::kTicket +
                " FROM tickets WHERE key = ANY($1::text[]) ORDER BY id FOR UPDATE");
  const pg::Statement list_tickets_ = statement(
      "SELECT " + columns::kTicket +
      " FROM tickets WHERE cdn_id = $1"
      " AND ($2::text IS NULL OR key = $2) AND ($3::text IS NULL OR pass = $3)"
      " AND ($4::text IS NULL OR ip = $4) AND ($5::text IS NULL OR video = $5)"
      " AND ($6::text IS NULL OR app = $6) AND ($7::bigint IS NULL OR uses = $7)"
      " AND ($8::integer IS NULL OR active = $8) AND ($9::bigint IS NULL OR id = $9)"
      " AND ($12::bigint IS NULL OR created = $12)"
      " AND ($13::bigint IS NULL OR expires = $13)"
      " AND ($14::bigint IS NULL OR used = $14)"
      " ORDER BY id LIMIT $10 OFFSET $11");
  const pg::Statement update_ticket_ = statement(
      "UPDATE tickets SET ip = $3, uses = $4, active = $5, expires = $6, used = $7,"
      " max_viewers = $8, when_full = $9 WHERE id = $10 AND cdn_id = $1 AND key = $2");
  // update_ticket_ for every held update at once (take_held_updates). Each
  // row is found by a search of its own and updated by its ctid: joined on
  // its columns instead, the plan PostgreSQL keeps for this statement, when
  // made on a small table, hashes the batch and reads every ticket, and keeps
  // doing so as the table grows (as "A batch's signed writes read together"
  // in docs/performance.md found for kept replies). The ctid cannot move
  // under the statement: the transaction holds each row's lock.
  const pg::Statement update_tickets_ = statement(
      "UPDATE tickets AS t SET ip = v.ip, uses = v.uses, active = v.active,"
      " expires = v.expires, used = v.used, max_viewers = v.max_viewers,"
      " when_full = v.when_full"
      " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],"
      " $6::integer[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[])"
      " AS v(id, cdn_id, key, ip, uses, active, expires, used, max_viewers, when_full)"
      " CROSS JOIN LATERAL (SELECT ctid AS found FROM tickets"
      " WHERE id = v.id AND cdn_id = v.cdn_id AND key = v.key LIMIT 1) AS f"
      " WHERE t.ctid = f.found");
  const pg::Statement delete_ticket_ =
      statement("DELETE FROM tickets WHERE cdn_id = $1 AND key = $2");

  const pg::Statement insert_attempt_ = statement(insert_attempts_sql(1) + " RETURNING id");
  // The identity column's sequence, as PostgreSQL names it (0001_init.sql).
  static constexpr const char* kAttemptIds = "attempts_id_seq";
  // As many as a group commit's batch can hold (its kMaxBatch).
  static constexpr std::size_t kMostIdsAhead = 512;
  static std::string ids_ahead_sql(const char* sequence) {
    return std::string("SELECT nextval('") + sequence + "') FROM generate_series(1, $1::bigint)";
  }
  const pg::Statement attempt_ids_ahead_ = statement(ids_ahead_sql(kAttemptIds));
  static constexpr const char* kTicketIds = "tickets_id_seq";  // as kAttemptIds
  const pg::Statement ticket_ids_ahead_ = statement(ids_ahead_sql(kTicketIds));
  // Rows held (hold_row): a round trip costs far more than a row (on the
  // bench machine a refusal's row alone made PostgreSQL shed refusals at
  // 13k a second), and a statement more than a row, so the rows a batch
  // holds go 128 to a statement (docs/performance.md, "Attempt rows sent
  // many to a round trip" and "New tickets and kept replies written many to
  // a statement").
  static constexpr std::size_t kMostHeldRows = 128;
  // Other statements held (hold), and ticket updates (hold_update): a start
  // holds one or two, so that a batch of 128 sends them in one round trip
  // before its COMMIT (64 connections at most make a batch on the bench).
  // More only in a long transaction, which a bound keeps from holding all it
  // writes.
  static constexpr std::size_t kMostHeld = 256;
  // `sql(rows)` for every size HeldRows writes.
  HeldRows held_rows(std::string (*sql)(std::size_t rows)) {
    HeldRows held;
    for (std::size_t rows = kMostHeldRows; rows >= 1; rows /= 2)
      held.by_size.push_back(statement(sql(rows)));
    return held;
  }
  HeldRows held_attempts_ = held_rows(insert_attempts_sql);         // hold_attempt's
  HeldRows held_tickets_ = held_rows(insert_numbered_tickets_sql);  // numbered ahead
  HeldRows held_replies_ = held_rows(insert_write_replies_sql);
  HeldRows held_sessions_ = held_rows(save_viewing_sessions_sql);
  std::map<std::string, std::size_t, std::less<>> held_session_at_;  // id: its row
  // With and without a key: two statements, each with its own index (as SQLite).
  const pg::Statement list_attempts_by_key_ =
      statement("SELECT " + columns::kAttempt + " FROM attempts WHERE cdn_id = $1 AND key = $2" +
                kAttemptFilters + " ORDER BY datetime, id LIMIT $9 OFFSET $10");
  const pg::Statement list_attempts_ = statement(
      "SELECT " + columns::kAttempt + " FROM attempts WHERE cdn_id = $1 AND $2::text IS NULL" +
      kAttemptFilters + " ORDER BY datetime, id LIMIT $9 OFFSET $10");
  const pg::Statement count_attempts_by_key_ = statement(
      "SELECT COUNT(*) FROM attempts WHERE cdn_id = $1 AND key = $2" + kAttemptFilters);
  const pg::Statement count_attempts_ = statement(
      "SELECT COUNT(*) FROM attempts WHERE cdn_id = $1 AND $2::text IS NULL" + kAttemptFilters);
  const pg::Statement sum_attempt_counts_ = statement(
      "SELECT COALESCE(SUM(n), 0) FROM attempt_counts WHERE cdn_id = $1 AND hour >= $2"
      " AND ($3::integer IS NULL OR success = $3)");
  const pg::Statement count_attempts_between_ = statement(
      "SELECT COUNT(*) FROM attempts WHERE cdn_id = $1 AND datetime >= $2 AND datetime < $3"
      " AND ($4::integer IS NULL OR success = $4)");
  const pg::Statement attempts_after_ =
      statement("SELECT " + columns::kAttempt +
                " FROM attempts WHERE id > $1 AND ($2::bigint IS NULL OR cdn_id = $2)"
                " AND ($3::text IS NULL OR key = $3) ORDER BY id LIMIT $4");
  const pg::Statement console_attempts_before_ = statement(
      "SELECT a.*" + kConsoleScope + columns::kAttempt + kConsoleFilters +
      " AND id < $10 ORDER BY id DESC LIMIT $11) a ORDER BY a.id DESC LIMIT $11");
  const pg::Statement console_attempts_after_ = statement(
      "SELECT a.*" + kConsoleScope + columns::kAttempt + kConsoleFilters +
      " AND id > $10 ORDER BY id LIMIT $11) a ORDER BY a.id LIMIT $11");
  const pg::Statement attempt_timeline_ = statement(
      "SELECT $10::bigint + ((a.datetime - $10::bigint) / $11::bigint) * $11::bigint AS bucket,"
      " a.success, a.reason, COUNT(*)" +
      kConsoleScope + "datetime, success, reason" + kConsoleFilters +
      // OFFSET 0 keeps the subquery apart: flattened, it is a join the planner
      // may answer with a scan of every attempt.
      " OFFSET 0) a GROUP BY bucket, a.success, a.reason ORDER BY bucket, a.success DESC, a.reason");
  const pg::Statement search_tickets_ = statement("SELECT " + columns::kTicket + kTicketSearch +
                                                  " ORDER BY id DESC LIMIT $3 OFFSET $4");
  const pg::Statement count_tickets_matching_ = statement("SELECT COUNT(*)" + kTicketSearch);
  const pg::Statement insert_console_session_ = statement(
      "INSERT INTO console_sessions (token_hash, cdn_id, created, expires) VALUES ($1, $2, $3, $4)");
  const pg::Statement console_session_ = statement(
      "SELECT token_hash, cdn_id, created, expires FROM console_sessions WHERE token_hash = $1");
  const pg::Statement delete_console_session_ =
      statement("DELETE FROM console_sessions WHERE token_hash = $1");
  // Rare (a secret rotated) and over a table of logins: no index of its own.
  const pg::Statement delete_console_sessions_of_ =
      statement("DELETE FROM console_sessions WHERE cdn_id = $1");
  const pg::Statement delete_expired_console_sessions_ = statement(
      "DELETE FROM console_sessions WHERE token_hash IN (SELECT token_hash FROM console_sessions"
      " WHERE expires < $1 ORDER BY expires LIMIT $2)");
  const pg::Statement mark_seeded_ = statement(
      "INSERT INTO seeded (name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING");

  const pg::Statement insert_stream_user_ = statement(
      "INSERT INTO stream_users (cdn_id, app, stream, \"user\", pass_hash, record, record_type, "
      "segment_type, segment_value, save_folder, playlist_count, playlist_timeout, enable_dvr, "
      "ga_key, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
      "$15) ON CONFLICT DO NOTHING RETURNING id");
  const pg::Statement stream_user_by_id_ = statement(
      "SELECT " + columns::kStreamUser + " FROM stream_users WHERE id = $1 AND cdn_id = $2");
  const pg::Statement list_stream_users_ =
      statement("SELECT " + columns::kStreamUser +
                " FROM stream_users WHERE cdn_id = $1 AND ($2::text IS NULL OR app = $2)"
                " AND ($3::text IS NULL OR stream = $3) ORDER BY id");
  const pg::Statement publish_candidates_ =
      statement("SELECT " + columns::kStreamUser +
                " FROM stream_users WHERE app = $1 AND stream IN ($2, '*')"
                " ORDER BY stream <> $2, id");
  const pg::Statement update_stream_user_ = statement(
      "UPDATE stream_users SET app = $3, stream = $4, \"user\" = $5, pass_hash = $6, "
      "record = $7, record_type = $8, segment_type = $9, segment_value = $10, "
      "save_folder = $11, playlist_count = $12, playlist_timeout = $13, enable_dvr = $14, "
      "ga_key = $15 WHERE id = $1 AND cdn_id = $2");
  const pg::Statement delete_stream_user_ =
      statement("DELETE FROM stream_users WHERE id = $1 AND cdn_id = $2");
  const pg::Statement count_stream_users_ =
      statement("SELECT COUNT(*) FROM stream_users WHERE cdn_id = $1");

  // Copies keep their ids: the identities are BY DEFAULT, so an explicit id
  // goes in as it is, and the same statement moves the sequence past it (never
  // back: rows come in per account, so ids arrive out of order).
  static std::string copy_into(const std::string& table, const std::string& columns, int n) {
    std::string values;
    for (int i = 1; i <= n; ++i) values += (i > 1 ? ", $" : "$") + std::to_string(i);
    const std::string seq = sequence_of(table);
    return "WITH copied AS (INSERT INTO " + table + " (" + columns + ") VALUES (" + values +
           ") RETURNING id) SELECT setval(" + seq + ", GREATEST(id, pg_sequence_last_value(" + seq +
           "::regclass))) FROM copied";
  }
  static std::string sequence_of(const std::string& table) {
    return "pg_get_serial_sequence('" + table + "', 'id')";
  }
  static std::string hand_out_after(const std::string& table) {
    const std::string seq = sequence_of(table);
    return "SELECT setval(" + seq + ", GREATEST($1, pg_sequence_last_value(" + seq +
           "::regclass)))";
  }
  const pg::Statement ids_handed_out_ = statement(
      "SELECT pg_sequence_last_value(" + sequence_of("tickets") +
      "::regclass), pg_sequence_last_value(" + sequence_of("stream_users") + "::regclass)");
  const pg::Statement hand_out_tickets_after_ = statement(hand_out_after("tickets"));
  const pg::Statement hand_out_stream_users_after_ = statement(hand_out_after("stream_users"));
  const pg::Statement all_write_replies_ =
      statement("SELECT " + columns::kWriteReply + " FROM write_replies ORDER BY cdn_id, signature");
  const pg::Statement all_seed_marks_ = statement("SELECT name, created FROM seeded ORDER BY name");
  const pg::Statement copy_ticket_ = statement(copy_into("tickets", columns::kTicket, 14));
  const pg::Statement copy_attempt_ = statement(copy_into("attempts", columns::kAttempt, 17));
  const pg::Statement copy_stream_user_ =
      statement(copy_into("stream_users", columns::kStreamUser, 16));

  const pg::Statement lock_write_reply_ =
      statement(std::string("SELECT pg_advisory_xact_lock(") + kWriteReplyLockClass +
                ", hashtext($1::bigint || '/' || $2::text))");
  const pg::Statement write_reply_ =
      statement("SELECT " + columns::kWriteReply +
                " FROM write_replies WHERE signed_at = $3 AND cdn_id = $1 AND signature = $2");
  // lock_write_reply_'s locks for many writes, in the order of their numbers
  // (the subquery's ORDER BY feeds the aggregate in that order).
  const pg::Statement lock_write_replies_ =
      statement(std::string("SELECT count(pg_advisory_xact_lock(") + kWriteReplyLockClass +
                ", h)) FROM (SELECT DISTINCT hashtext(c || '/' || s) AS h FROM unnest($1::bigint[],"
                " $2::text[]) AS w(c, s) ORDER BY h) AS o");
  // write_reply_ for many: $1 their signed_at, $2 cdn_id, $3 signature. One
  // primary-key search each: as `(…) IN (SELECT … FROM unnest(…))` the plan
  // made while the table was small (a prepared statement keeps it until the
  // table is next analyzed) hashed the batch and scanned every kept reply,
  // which made 35k replies cost the database most of its time a batch. The
  // LIMIT keeps the planner from turning the LATERAL subquery back into a
  // join it may hash.
  const pg::Statement write_replies_by_keys_ = statement(
      "SELECT r.* FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS w(a, c, s)"
      " CROSS JOIN LATERAL (SELECT " +
      columns::kWriteReply +
      " FROM write_replies WHERE signed_at = w.a AND cdn_id = w.c AND signature = w.s"
      " LIMIT 1) AS r");
  const pg::Statement insert_write_reply_ = statement(insert_write_replies_sql(1));
  // Oldest first through the primary key, which leads with the second; rows
  // another instance is deleting right now are skipped rather than waited for.
  const pg::Statement delete_write_replies_signed_before_ = statement(
      "DELETE FROM write_replies WHERE (signed_at, cdn_id, signature) IN (SELECT signed_at, cdn_id,"
      " signature FROM write_replies WHERE signed_at < $1 ORDER BY signed_at LIMIT $2"
      " FOR UPDATE SKIP LOCKED)");

  const pg::Statement viewing_session_ = statement(
      "SELECT " + columns::kViewingSession + " FROM viewing_sessions WHERE id = $1");
  const pg::Statement save_viewing_session_ = statement(save_viewing_sessions_sql(1));
  const pg::Statement add_viewing_session_ = statement(
      "INSERT INTO viewing_sessions (" + columns::kViewingSession +
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
      " ON CONFLICT (id) DO NOTHING");
  const pg::Statement attempt_keeping_session_ =
      statement("SELECT " + columns::kAttempt +
                " FROM attempts WHERE id = $1 AND success = 1 AND session_lapse > 0");
  // Through attempts_keeping_sessions: a range of the ticket's not yet lapsed.
  const pg::Statement attempts_keeping_live_sessions_ = statement(
      "SELECT " + columns::kAttempt +
      " FROM attempts WHERE cdn_id = $1 AND key = $2 AND session_lapse > 0"
      " AND datetime + session_lapse >= $3 AND success = 1"
      " AND NOT EXISTS (SELECT 1 FROM viewing_sessions v"
      " WHERE v.id = $4::text || lpad(to_hex(attempts.id), 16, '0'))"
      " ORDER BY datetime, id");
  // The same range, newest first, and the viewer's rows in it.
  const pg::Statement newest_attempt_keeping_session_of_ =
      statement("SELECT " + columns::kAttempt +
                " FROM attempts WHERE cdn_id = $1 AND key = $2 AND session_lapse > 0"
                " AND datetime + session_lapse >= $3 AND success = 1 AND pass = $4 AND ip = $5"
                " AND app = $6 AND video = $7 AND media_server = $8"
                " ORDER BY datetime DESC, id DESC LIMIT 1");
  // Through viewing_sessions_by_ticket: the ticket's rows.
  const pg::Statement newest_unnamed_session_row_of_ =
      statement("SELECT " + columns::kViewingSession +
                " FROM viewing_sessions WHERE cdn_id = $1 AND key = $2"
                " AND last_seen + lapse >= $3 AND ip = $4 AND app = $5 AND video = $6"
                " AND media_server = $7 AND substr(id, 1, 16) = $8 ORDER BY id DESC LIMIT 1");
  const pg::Statement touch_viewing_session_ = statement(
      "UPDATE viewing_sessions SET last_seen = GREATEST(last_seen, $2) WHERE id = $1 AND ended = 0");
  const pg::Statement end_viewing_session_ = statement(
      "UPDATE viewing_sessions SET ended = $2, end_reason = $3 WHERE id = $1 AND ended = 0");
  const pg::Statement delete_viewing_session_ =
      statement("DELETE FROM viewing_sessions WHERE id = $1");
  const pg::Statement live_viewing_sessions_ = statement(
      "SELECT " + columns::kViewingSession +
      " FROM viewing_sessions WHERE cdn_id = $1 AND key = $2 AND ended = 0"
      " AND last_seen + lapse >= $3 ORDER BY started, opened, id");
  const pg::Statement delete_idle_viewing_sessions_ = statement(
      "DELETE FROM viewing_sessions WHERE id IN (SELECT id FROM viewing_sessions"
      " WHERE last_seen + lapse < $1 ORDER BY last_seen + lapse LIMIT $2 FOR UPDATE SKIP LOCKED)");
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& uri, OpenMode mode) {
  const bool read_only = mode == OpenMode::kReadOnly || mode == OpenMode::kInspect;
  {
    pg::Connection setup(uri, read_only);
    if (read_only)
      check_postgres_migrations(setup, known_postgres_migrations(),
                                /*allow_older=*/mode == OpenMode::kInspect);
    else
      apply_postgres_migrations(setup, known_postgres_migrations());
  }
  return std::make_unique<PgStore>(uri, read_only);
}

void check_postgres_database(const std::string& uri) {
  open_postgres_store(uri, OpenMode::kInspect);
}

}  // namespace sevu

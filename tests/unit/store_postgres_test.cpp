// PgStore against a real PostgreSQL: the store contract (store_contract.hpp) and
// what only several processes on one database need. ctest starts a throwaway
// cluster (scripts/pg-cluster, the pg.cluster_start fixture) and names its URI
// file in SEVU_TEST_PG_URI_FILE; each case makes a database of its own, so
// ctest -j runs them side by side.
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/group_commit.hpp"
#include "store/migrations.hpp"
#include "store/pg_connection.hpp"
#include "store/pg_migrations.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"

namespace {

using namespace sevu;

std::string read_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value)
    throw std::runtime_error(std::string(name) + " is not set: run this test through ctest");
  return value;
}

// A plain libpq connection for looking under the store's interface.
struct RawPg {
  PGconn* conn;
  explicit RawPg(const std::string& uri) : conn(PQconnectdb(uri.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK)
      throw std::runtime_error(std::string("connect: ") + PQerrorMessage(conn));
  }
  ~RawPg() { PQfinish(conn); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;
  // text as an SQL string literal.
  std::string literal(const std::string& text) {
    char* escaped = PQescapeLiteral(conn, text.data(), text.size());
    if (!escaped) throw std::runtime_error(PQerrorMessage(conn));
    std::string out = escaped;
    PQfreemem(escaped);
    return out;
  }
  // The first column of the first row as text ("<none>" without rows).
  std::string one(const std::string& sql) {
    PGresult* r = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(r);
    std::string out = "<none>";
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    const std::string error = PQresultErrorMessage(r);
    PQclear(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      throw std::runtime_error(sql + ": " + error);
    return out;
  }
};

// "postgresql://user:pw@host:port/postgres" with another database name.
std::string with_database(const std::string& uri, const std::string& name) {
  return uri.substr(0, uri.rfind('/') + 1) + name;
}

// A fresh database on the test cluster, dropped afterwards.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& admin_uri) : admin_(admin_uri) {
    static std::atomic<int> counter{0};
    std::random_device random;
    name_ = "sevu_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(random() % 1000000);
    RawPg(admin_).one("CREATE DATABASE " + name_);
  }
  TestDatabase() : TestDatabase(read_line(env("SEVU_TEST_PG_URI_FILE"))) {}
  ~TestDatabase() {
    try {
      RawPg(admin_).one("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // the cluster goes away with the run anyway
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  std::string uri() const { return with_database(admin_, name_); }

 private:
  std::string admin_;
  std::string name_;
};

struct ContractBackend {
  static constexpr bool kHoldsAnyBytes = false;
  TestDatabase db;
  std::unique_ptr<Store> open() { return open_postgres_store(db.uri()); }
};

// A cluster of the test's own, for cases that restart it (the shared one
// serves tests running in parallel).
class OwnCluster {
 public:
  OwnCluster() {
    std::string pattern = "/tmp/sevu-pg-own-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    run("start");
    uri_ = read_line(dir_ + "/uri");
  }
  ~OwnCluster() { std::system((env("SEVU_PG_CLUSTER") + " stop " + dir_ + " >/dev/null").c_str()); }
  OwnCluster(const OwnCluster&) = delete;
  OwnCluster& operator=(const OwnCluster&) = delete;
  void run(const std::string& command) {
    const std::string line = env("SEVU_PG_CLUSTER") + " " + command + " " + dir_ + " >/dev/null";
    if (std::system(line.c_str()) != 0) throw std::runtime_error(line + " failed");
  }
  const std::string& uri() const { return uri_; }

 private:
  std::string dir_;
  std::string uri_;
};

// What a group commit's batch of starts asks read ahead (Store::read_ahead).
BatchReads tickets_ahead(std::vector<std::string_view> keys, std::size_t attempt_rows) {
  BatchReads reads;
  reads.tickets = std::move(keys);
  reads.attempt_rows = attempt_rows;
  return reads;
}

}  // namespace

#define CONTRACT "postgres: "
#include "store_contract.hpp"

TEST_CASE("storable: valid UTF-8 without a NUL byte, as PostgreSQL's text holds") {
  CHECK(pg::storable(std::string()));
  CHECK(pg::storable(std::string("plain ascii, longer than one eight-byte word")));
  CHECK(pg::storable(std::string("caf\xC3\xA9 \xF0\x9F\x98\x80")));
  CHECK_FALSE(pg::storable(std::string("a\0b", 3)));
  CHECK_FALSE(pg::storable(std::string("eight ok\0", 9)));
  CHECK_FALSE(pg::storable(std::string("\xFF")));
  CHECK_FALSE(pg::storable(std::string("overlong \xC0\xAF")));
  CHECK_FALSE(pg::storable(std::string("surrogate \xED\xA0\x80")));
  CHECK(pg::storable(std::optional<std::string>()));
  CHECK_FALSE(pg::storable(std::optional<std::string>("\xC3")));
}

TEST_CASE("the PostgreSQL migrations match SQLite's version for version and name") {
  const auto& sqlite = known_migrations();
  const auto& postgres = known_postgres_migrations();
  REQUIRE(sqlite.size() == postgres.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    CHECK(postgres[i].version == sqlite[i].version);
    CHECK(postgres[i].name == sqlite[i].name);
  }
}

TEST_CASE("four instances opening a fresh database at once migrate it once") {
  TestDatabase db;
  std::promise<void> go;
  auto start = go.get_future().share();
  std::vector<std::future<std::string>> opened;
  for (int i = 0; i < 4; ++i) {
    opened.push_back(std::async(std::launch::async, [&, start] {
      start.wait();
      try {
        open_postgres_store(db.uri())->accounts();
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    }));
  }
  go.set_value();
  for (auto& f : opened) CHECK(f.get() == "");
  RawPg raw(db.uri());
  CHECK(raw.one("SELECT COUNT(*) FROM schema_migrations") ==
        std::to_string(known_postgres_migrations().size()));
  CHECK(raw.one("SELECT string_agg(version || ':' || name, ',' ORDER BY version)"
                " FROM schema_migrations") ==
        "1:0001_init.sql,2:0002_write_replies.sql,"
        "3:0003_seeded.sql,4:0004_attempt_counts.sql,"
        "5:0005_viewing_sessions.sql,"
        "6:0006_viewer_limits_and_sessions.sql,"
        "7:0007_console_sessions.sql,8:0008_attempt_counts_by_store.sql,"
        "9:0009_write_replies_in_time_order.sql,10:0010_sessions_in_attempts.sql,"
        "11:0011_write_replies_found_in_memory.sql,"
        "12:0012_kept_replies_forgotten_by_second.sql,"
        "13:0013_attempt_counts_per_statement.sql");
  raw.one("UPDATE schema_migrations SET applied = 1");
  open_postgres_store(db.uri());  // reopening applies nothing again
  CHECK(raw.one("SELECT COUNT(*) FROM schema_migrations WHERE applied <> 1") == "0");
}

// The PostgreSQL side of store_sqlite_test's 0009 case: a reply held at the
// upgrade stays, dated with the default window, and the key leads with it.
TEST_CASE("0009 keeps the held replies and finds a reply by its timestamp first") {
  TestDatabase db;
  {
    pg::Connection conn(db.uri(), /*read_only=*/false);
    apply_postgres_migrations(conn, migrations_before(known_postgres_migrations(), 9));
  }
  RawPg raw(db.uri());
  raw.one(
      "INSERT INTO write_replies (cdn_id, signature, expires, held, code, message, payload)"
      " VALUES (158, 'c2ln', 1300, 1, 2002, 'granted', '{\"ticket\":{}}')");
  auto store = open_postgres_store(db.uri());
  auto kept = store->write_reply(158, 1000, "c2ln");
  REQUIRE(kept);
  CHECK(kept->signed_at == 1000);
  CHECK(kept->expires == 1300);
  CHECK(kept->payload == "{\"ticket\":{}}");
  CHECK_FALSE(store->write_reply(158, 1001, "c2ln"));
  CHECK(raw.one("SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i,"
                " unnest(i.indkey) WITH ORDINALITY k(attnum, n), pg_attribute a"
                " WHERE i.indrelid = 'write_replies'::regclass AND i.indisprimary"
                " AND a.attrelid = i.indrelid AND a.attnum = k.attnum") ==
        "signed_at,cdn_id,signature");
}

TEST_CASE("a schema newer than this binary's is refused; read-only opens check and write nothing") {
  TestDatabase db;
  CHECK(error_of([&] { open_postgres_store(db.uri(), OpenMode::kReadOnly); })
            .find("older") != std::string::npos);  // nothing migrated it yet
  check_postgres_database(db.uri());                // serve would: fine for --check-config
  RawPg raw(db.uri());
  CHECK(raw.one("SELECT to_regclass('schema_migrations') IS NULL") == "t");

  open_postgres_store(db.uri())->insert_attempt(make_attempt(0, "k", 1));
  auto reader = open_postgres_store(db.uri(), OpenMode::kReadOnly);
  CHECK(reader->attempts_after(0, std::nullopt, std::nullopt, 10).size() == 1);
  CHECK_THROWS_AS(reader->insert_attempt(make_attempt(0, "k", 2)), StoreError);

  const int64_t newer = known_postgres_migrations().back().version + 2;
  raw.one("INSERT INTO schema_migrations VALUES (" + std::to_string(newer) + ", '9999_x.sql', 0)");
  const std::string expected = "database schema version " + std::to_string(newer) +
                               " is newer than this sevu-server supports (" +
                               std::to_string(known_postgres_migrations().back().version) +
                               "); upgrade sevu-server";
  CHECK(error_of([&] { open_postgres_store(db.uri()); }) == expected);
  CHECK(error_of([&] { check_postgres_database(db.uri()); }) == expected);
}

TEST_CASE("starts of one ticket on several connections at once never exceed its uses") {
  TestDatabase db;
  {
    auto store = open_postgres_store(db.uri());
    REQUIRE(store->insert_account(make_account(158, "acme")));
    auto t = make_ticket(158, "shared");
    t.uses = 5;
    REQUIRE(store->insert_ticket(t));
  }
  // The usher's read-decide-update, as each instance runs it in its own
  // process, half of them reading the ticket ahead as a batch does.
  std::atomic<int> granted{0};
  std::promise<void> go;
  auto start = go.get_future().share();
  std::vector<std::thread> instances;
  for (int i = 0; i < 6; ++i) {
    instances.emplace_back([&, i, start] {
      auto store = open_postgres_store(db.uri());
      start.wait();
      for (int attempt = 0; attempt < 4; ++attempt) {
        store->transaction([&] {
          if (i < 3) store->read_ahead(tickets_ahead({"shared"}, 0));  // as a group commit's batch
          auto t = i % 2 ? store->ticket_by_key("shared") : store->ticket(158, "shared");
          if (!t || t->uses <= 0) return;
          std::this_thread::yield();  // widen the window a lost update would need
          --t->uses;
          REQUIRE(store->update_ticket(*t));
          ++granted;
        });
      }
    });
  }
  go.set_value();
  for (auto& t : instances) t.join();
  CHECK(granted == 5);
  CHECK(open_postgres_store(db.uri())->ticket(158, "shared")->uses == 0);
}

TEST_CASE("two identical signed writes on two connections run the command once") {
  TestDatabase db;
  auto first = open_postgres_store(db.uri());
  auto second = open_postgres_store(db.uri());
  std::atomic<int> commands_run{0};
  // What legacy/wire/write_once does: look the reply up, run, remember it.
  auto write_once = [&](Store& store, const std::function<void()>& between) {
    std::optional<WriteReply> reply;
    store.transaction([&] {
      reply = store.write_reply(158, kSignedAt, "same-signature");
      between();
      if (reply) return;
      ++commands_run;
      store.insert_write_reply(make_write_reply(158, "same-signature", 2000));
    });
    return reply;
  };
  std::promise<void> first_looked;
  std::promise<void> second_waiting;
  auto first_done = std::async(std::launch::async, [&] {
    return write_once(*first, [&] {
      first_looked.set_value();
      // Hold the transaction open until the second has been sent its lookup.
      second_waiting.get_future().wait();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    });
  });
  first_looked.get_future().wait();
  auto second_done = std::async(std::launch::async, [&] {
    second_waiting.set_value();
    return write_once(*second, [] {});
  });
  CHECK_FALSE(first_done.get());
  const auto repeat = second_done.get();
  REQUIRE(repeat);  // it waited for the first, then read its reply
  CHECK(repeat->code == 2002);
  CHECK(commands_run == 1);
}

TEST_CASE("a deadlock between two connections fails one part with StoreError, the batch goes on") {
  TestDatabase db;
  auto a = open_postgres_store(db.uri());
  auto b = open_postgres_store(db.uri());
  REQUIRE(a->insert_account(make_account(158, "acme")));
  for (const char* key : {"one", "two", "done-a", "done-b"}) {
    auto t = make_ticket(158, key);
    REQUIRE(a->insert_ticket(t));
  }
  // As two instances' group commits: each decision in a savepoint of the
  // batch's transaction, the two batches locking the same tickets crosswise.
  auto batch = [](Store& store, const std::string& first, const std::string& second,
                  const std::string& done, std::promise<void>& locked,
                  std::shared_future<void> other_locked) {
    std::string failure;
    store.transaction([&] {
      REQUIRE(store.ticket(158, first));
      locked.set_value();
      other_locked.wait();
      try {
        store.savepoint([&] { store.ticket(158, second); });
      } catch (const StoreUnavailable& e) {  // a retry may succeed: not the request's fault
        failure = e.what();
      }
      auto t = store.ticket(158, done);
      t->uses = 0;
      CHECK(store.update_ticket(*t));
    });
    return failure;
  };
  std::promise<void> a_locked, b_locked;
  auto a_waits = b_locked.get_future().share();
  auto b_waits = a_locked.get_future().share();
  auto fa = std::async(std::launch::async, [&] {
    return batch(*a, "one", "two", "done-a", a_locked, a_waits);
  });
  auto fb = std::async(std::launch::async, [&] {
    return batch(*b, "two", "one", "done-b", b_locked, b_waits);
  });
  const std::string failures = fa.get() + fb.get();
  CHECK(failures.find("deadlock detected (SQLSTATE 40P01)") != std::string::npos);
  CHECK(a->ticket(158, "done-a")->uses == 0);  // both batches committed the rest
  CHECK(a->ticket(158, "done-b")->uses == 0);
}

// A trigger that raises `message` for every row of key "poison" that `event`
// ("INSERT ON attempts") writes.
void refuse_poison(RawPg& raw, const std::string& event, const std::string& message) {
  raw.one(
      "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.key = 'poison' THEN RAISE EXCEPTION '" +
      message + "'; END IF; RETURN NEW; END; $$");
  raw.one("CREATE TRIGGER refuse_poison BEFORE " + event +
          " FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
}

// A group commit on one writer, held until open() so that the writes
// submitted before it go in one batch.
struct Batch {
  explicit Batch(TestDatabase& db)
      : pool([&db] { return open_postgres_store(db.uri()); }, 1, 64, 0),
        commit(pool, StorePool::Lane::hooks) {
    REQUIRE(pool.submit([gate = gate.get_future().share()](Store&) { gate.wait(); },
                        StorePool::Lane::hooks));
  }
  void open() { gate.set_value(); }
  // Queues a write in the batch (its done left empty: set here); its outcome
  // once the batch has run.
  std::future<WriteOutcome> submit(BatchedWrite write) {
    auto outcome = std::make_shared<std::promise<WriteOutcome>>();
    std::future<WriteOutcome> heard = outcome->get_future();
    write.done = [outcome](WriteOutcome o) { outcome->set_value(std::move(o)); };
    REQUIRE(commit.submit(std::move(write)));
    return heard;
  }
  StorePool pool;
  GroupCommit commit;
  std::promise<void> gate;  // gone first should a test stop early: the worker stops waiting
};

// A held attempt row (Store::hold_attempt) is written after the write that
// held it; should that fail, it must still fail that write alone. Here a
// trigger refuses rows of key "poison": the batch's last write holds one, so
// its failure first shows where the batch writes its held rows, and again,
// in the run with savepoints, at the end of that write's own part.
TEST_CASE("a held attempt row that cannot be written fails its own write, not the batch") {
  TestDatabase db;
  {
    auto store = open_postgres_store(db.uri());
    REQUIRE(store->insert_account(make_account(158, "acme")));
  }
  RawPg raw(db.uri());
  refuse_poison(raw, "INSERT ON attempts", "poisoned row");
  Batch batch(db);
  std::future<WriteOutcome> kept =
      batch.submit({[](Store& store, IfRolledBack&) {
                      store.insert_attempt(make_attempt(158, "kept", 1));
                      return true;
                    },
                    {}});
  std::future<WriteOutcome> poisoned =
      batch.submit({[](Store& store, IfRolledBack&) {
                      store.hold_attempt(make_attempt(158, "poison", 2));
                      return true;
                    },
                    {}});
  batch.open();
  CHECK(kept.get().status == WriteOutcome::Status::kDone);
  const WriteOutcome failed = poisoned.get();
  CHECK(failed.status == WriteOutcome::Status::kFailed);
  CHECK(raw.one("SELECT string_agg(key, ',') FROM attempts") == "kept");
}

// A granted start as the usher's batch runs it: the ticket read, a use
// spent, the attempt logged with its id.
std::function<bool(Store&, IfRolledBack&)> granted_start(const std::string& key) {
  return [key](Store& store, IfRolledBack&) {
    auto t = store.ticket_by_key(key);
    if (!t) throw std::runtime_error("no ticket " + key);
    t->uses -= 1;
    if (!store.update_ticket(*t)) throw std::runtime_error("not updated");
    store.insert_attempt(make_attempt(158, key, 1));
    return true;
  };
}

// A database with the demo account and its ticket "k" (5 uses), the store
// under test and a raw connection to look behind it.
struct OneTicket {
  OneTicket() {
    REQUIRE(store->insert_account(make_account(158, "acme")));
    auto t = make_ticket(158, "k");
    REQUIRE(store->insert_ticket(t));
  }
  TestDatabase db;
  std::unique_ptr<Store> store = open_postgres_store(db.uri());
  RawPg raw{db.uri()};
};

// A start's update of the ticket it read FOR UPDATE is held and sent with the
// next statement in one round trip (docs/performance.md, "A grant's update
// sent with its attempt row"). What the store answers must not tell: a read
// in the same transaction sees it, a rollback or an undone savepoint takes it
// back, and an update that was not held still says when no row matched.
TEST_CASE("a locked ticket's held update reads as written at once, and goes with what undoes it") {
  OneTicket one;
  auto& store = one.store;
  auto& raw = one.raw;
  const auto spend = [&](const std::string& key) {
    auto locked = store->ticket(158, key);
    REQUIRE(locked);
    locked->uses -= 1;
    CHECK(store->update_ticket(*locked));
  };

  store->transaction([&] {
    spend("k");
    CHECK(store->ticket(158, "k")->uses == 4);  // read after it, in the same transaction
    spend("k");
    store->insert_attempt(make_attempt(158, "k", 1));  // sent with the held update
  });
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "3");
  CHECK(raw.one("SELECT count(*) FROM attempts") == "1");

  CHECK_THROWS_AS(store->transaction([&] {
    spend("k");
    throw std::runtime_error("rolled back");
  }),
                  std::runtime_error);
  store->transaction([&] {
    try {
      store->savepoint([&] {
        spend("k");
        throw std::runtime_error("the part fails");
      });
    } catch (const std::runtime_error&) {
    }
    spend("k");  // after the undone part: held again, sent with the COMMIT's writes
  });
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "2");

  // Outside a transaction nothing is held, even for the ticket the last
  // transaction read and locked (a refused start's, which wrote no update).
  store->transaction([&] {
    REQUIRE(store->ticket(158, "k"));
    store->hold_attempt(make_attempt(158, "k", 2));
  });
  auto outside = *store->ticket(158, "k");
  outside.uses = 7;
  CHECK(store->update_ticket(outside));
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "7");

  // Another session deleted the ticket before it was read: nothing to lock,
  // nothing held, and the update says no row matched.
  auto gone = *store->ticket(158, "k");
  raw.one("DELETE FROM tickets WHERE key = 'k'");
  store->transaction([&] {
    CHECK_FALSE(store->ticket(158, "k"));
    CHECK_FALSE(store->update_ticket(gone));
  });
}

// A transaction's held updates go to the database as one statement of
// arrays (docs/performance.md, "A batch's ticket updates in one statement"):
// each ticket gets its own new state, every column of it, whatever its key
// holds (the array literal's own characters, Cyrillic), under its own
// account, and a ticket updated twice gets its last.
TEST_CASE("a transaction's held ticket updates are written together, each as it last stood") {
  OneTicket one;
  auto& store = one.store;
  auto& raw = one.raw;
  REQUIRE(store->insert_account(make_account(159, "other")));
  const std::vector<std::pair<int64_t, std::string>> tickets{
      {158, "a \"quoted\", {braced} \\ key"}, {158, "билет"}, {159, "theirs"}, {158, "k"}};
  for (const auto& [cdn_id, key] : tickets) {
    if (key == "k") continue;  // OneTicket's
    auto t = make_ticket(cdn_id, key);
    REQUIRE(store->insert_ticket(t));
  }
  store->transaction([&] {
    int64_t n = 0;
    for (const auto& [cdn_id, key] : tickets) {
      auto t = store->ticket(cdn_id, key);
      REQUIRE(t);
      ++n;
      t->uses = 100 + n;
      t->ip = "10.0.0." + std::to_string(n) + " \"x\"";
      t->active = n % 2 == 0;
      t->expires = 1800000000 + n;
      t->used = 1700000000 + n;
      t->max_viewers = n;
      t->when_full = n == 2 ? "end_oldest" : "deny";
      CHECK(store->update_ticket(*t));
    }
    auto again = store->ticket(158, "k");  // updated twice: the last one counts
    REQUIRE(again);
    again->uses = 7;
    CHECK(store->update_ticket(*again));
  });
  CHECK(raw.one("SELECT string_agg(concat_ws('|', cdn_id, key, uses, ip, active, expires, used,"
                " max_viewers, when_full), E'\\n' ORDER BY id) FROM tickets") ==
        "158|k|7|10.0.0.4 \"x\"|1|1800000004|1700000004|4|deny\n"
        "158|a \"quoted\", {braced} \\ key|101|10.0.0.1 \"x\"|0|1800000001|1700000001|1|deny\n"
        "158|билет|102|10.0.0.2 \"x\"|1|1800000002|1700000002|2|end_oldest\n"
        "159|theirs|103|10.0.0.3 \"x\"|0|1800000003|1700000003|3|deny");
}

// A batch's tickets read in one round trip (Store::read_ahead,
// docs/performance.md "A batch's tickets read together"): they are locked as
// a read of each would lock it, later reads in the transaction see them as
// they now stand, and after whatever may change a ticket, or undo what was
// written, the next read finds the ticket as the database has it.
TEST_CASE("tickets read ahead are locked, read as they stand, and forgotten by what changes them") {
  OneTicket one;
  auto& store = one.store;
  auto& raw = one.raw;
  REQUIRE(store->insert_account(make_account(159, "other")));
  const std::string odd = "a \"quoted\", {braced} \\ key";  // text[] literal's own characters
  const std::string cyrillic = "билет";
  for (const auto& [cdn_id, key] :
       std::vector<std::pair<int64_t, std::string>>{{158, odd}, {158, cyrillic}, {159, "theirs"}}) {
    auto t = make_ticket(cdn_id, key);
    REQUIRE(store->insert_ticket(t));
  }
  const auto locked_elsewhere = [&](const std::string& key) {
    try {
      raw.one("SELECT uses FROM tickets WHERE key = " + raw.literal(key) + " FOR UPDATE NOWAIT");
      return false;
    } catch (const std::runtime_error& e) {
      return std::string(e.what()).find("could not obtain lock") != std::string::npos;
    }
  };
  const auto spend = [&](const std::string& key) {
    auto t = store->ticket_by_key(key);
    REQUIRE(t);
    t->uses -= 1;
    CHECK(store->update_ticket(*t));
  };

  store->transaction([&] {
    store->read_ahead(tickets_ahead({"k", odd, cyrillic, "missing", "theirs", "k"}, 0));
    CHECK(locked_elsewhere("k"));
    CHECK(locked_elsewhere(odd));
    CHECK(locked_elsewhere(cyrillic));
    // Made after the read: its request came before it, as if read then.
    raw.one(
        "INSERT INTO tickets (cdn_id, key, pass, video, app, uses) "
        "VALUES (158, 'missing', 'p', '*', '*', 5)");
    CHECK_FALSE(store->ticket_by_key("missing"));
    CHECK_FALSE(store->ticket(158, "theirs"));  // another account's
    CHECK(store->ticket(159, "theirs"));
    REQUIRE(store->ticket(158, odd));
    CHECK(store->ticket(158, odd)->key == odd);
    CHECK(store->ticket_by_key(cyrillic)->cdn_id == 158);
    spend("k");
    store->insert_attempt(make_attempt(158, "k", 1));  // changes no ticket
    spend("k");
    CHECK(store->ticket_by_key("k")->uses == 3);
    CHECK(store->delete_ticket(158, odd));
    CHECK_FALSE(store->ticket_by_key(odd));  // read again: the delete may have changed it
    CHECK(store->ticket_by_key("k")->uses == 3);
  });
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "3");
  CHECK(raw.one("SELECT count(*) FROM tickets WHERE key = " + raw.literal(odd)) == "0");

  store->transaction([&] {
    store->read_ahead(tickets_ahead({"k"}, 0));
    try {
      store->savepoint([&] {
        spend("k");
        throw std::runtime_error("the part fails");
      });
    } catch (const std::runtime_error&) {
    }
    CHECK(store->ticket_by_key("k")->uses == 3);  // the undone part's update is gone
    spend("k");
  });
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "2");
  CHECK_FALSE(locked_elsewhere("k"));  // the locks end with the transaction
}

// Rows numbered ahead (Store::read_ahead): a grant's insert_attempt answers
// its id at once and its row is held like a refusal's, read as written in
// the same transaction; the ids are the sequence's, in the order the rows
// were made, a refusal's held row taking the next; once they run out a row
// is numbered as before; a rollback leaves its ids unused.
TEST_CASE("rows numbered ahead answer their ids at once, in order, and are written as held") {
  OneTicket one;
  auto& store = one.store;
  auto& raw = one.raw;
  std::vector<int64_t> ids;
  store->transaction([&] {
    store->read_ahead(tickets_ahead({"k", "k"}, 3));
    ids.push_back(store->insert_attempt(make_attempt(158, "k", 1)));
    store->hold_attempt(make_attempt(158, "k", 2));
    ids.push_back(store->insert_attempt(make_attempt(158, "k", 3)));
    ids.push_back(store->insert_attempt(make_attempt(158, "k", 4)));  // the numbered ones are spent
    AttemptFilter all;
    all.limit = 10;
    CHECK(store->attempts(158, all).size() == 4);  // the held rows are written before a read
  });
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] + 2 == ids[1]);  // the refusal's row took the id between them
  CHECK(ids[1] < ids[2]);
  CHECK(raw.one("SELECT string_agg(id::text, ',' ORDER BY datetime) FROM attempts") ==
        std::to_string(ids[0]) + "," + std::to_string(ids[0] + 1) + "," + std::to_string(ids[1]) +
            "," + std::to_string(ids[2]));
  CHECK(raw.one("SELECT sum(n) FROM attempt_counts") == "4");

  // Ids taken and not used end with their transaction, rolled back or
  // committed: the next one's rows are numbered after them.
  int64_t undone = 0;
  CHECK_THROWS_AS(store->transaction([&] {
    store->read_ahead(tickets_ahead({"k"}, 3));
    undone = store->insert_attempt(make_attempt(158, "k", 5));
    throw std::runtime_error("rolled back");
  }),
                  std::runtime_error);
  CHECK(undone > ids[2]);
  int64_t after = 0;
  store->transaction([&] { after = store->insert_attempt(make_attempt(158, "k", 6)); });
  CHECK(after == undone + 3);
  int64_t committed = 0, next = 0;
  store->transaction([&] {
    store->read_ahead(tickets_ahead({"k"}, 3));
    committed = store->insert_attempt(make_attempt(158, "k", 7));
  });
  store->transaction([&] { next = store->insert_attempt(make_attempt(158, "k", 8)); });
  CHECK(next == committed + 3);
  CHECK(raw.one("SELECT count(*) FROM attempts") == "7");
  // The statements name the identity column's sequence as PostgreSQL made it.
  CHECK(raw.one("SELECT pg_get_serial_sequence('attempts', 'id')") == "public.attempts_id_seq");
}

// The tickets a transaction read locked are kept across a start's attempt and
// session writes (PgStore's leaves_tickets): only if no trigger on those
// tables changes a ticket. A new trigger there must be checked against it.
TEST_CASE("attempts and viewing sessions have no trigger but the hourly totals'") {
  TestDatabase db;
  open_postgres_store(db.uri());  // migrated
  RawPg raw(db.uri());
  CHECK(
      raw.one("SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT "
              "tgisinternal AND tgrelid IN ('attempts'::regclass, 'viewing_sessions'::regclass)") ==
      "attempt_counts_delete,attempt_counts_insert,attempt_counts_update");
}

// A grant's row numbered ahead is held, so a row that cannot be written
// shows only when the held rows are: it must still fail its own write alone.
TEST_CASE("a held grant's row that cannot be written fails its own write, not the batch") {
  OneTicket one;
  auto poison = make_ticket(158, "poison");
  REQUIRE(one.store->insert_ticket(poison));
  refuse_poison(one.raw, "INSERT ON attempts", "poisoned row");
  // Held: the row's failure shows where the held rows are written, not at
  // insert_attempt.
  bool answered = false;
  CHECK_THROWS_WITH_AS(one.store->transaction([&] {
    one.store->read_ahead(tickets_ahead({"poison"}, 1));
    one.store->insert_attempt(make_attempt(158, "poison", 1));
    answered = true;
    one.store->write_held();
  }),
                       doctest::Contains("poisoned row"), StoreError);
  CHECK(answered);
  const std::string key_k = "k", key_poison = "poison";
  Batch batch(one.db);
  BatchedWrite first{granted_start(key_k), {}};
  first.reads_ticket = key_k;
  BatchedWrite second{granted_start(key_poison), {}};
  second.reads_ticket = key_poison;
  std::future<WriteOutcome> kept = batch.submit(std::move(first));
  std::future<WriteOutcome> poisoned = batch.submit(std::move(second));
  batch.open();
  CHECK(kept.get().status == WriteOutcome::Status::kDone);
  CHECK(poisoned.get().status == WriteOutcome::Status::kFailed);
  CHECK(one.raw.one("SELECT string_agg(key, ',') FROM attempts") == "k");
  CHECK(one.raw.one("SELECT string_agg(key || '=' || uses, ',' ORDER BY key) FROM tickets") ==
        "k=4,poison=5");
}

// The group commit reads its batch's tickets before the first write runs
// (BatchedWrite::reads_ticket): the second write's ticket is locked while the
// first is still running.
TEST_CASE("a batch's tickets are read and locked together before its first write runs") {
  OneTicket one;
  auto b = make_ticket(158, "b");
  REQUIRE(one.store->insert_ticket(b));
  const std::string key_a = "k", key_b = "b";
  Batch batch(one.db);
  std::promise<void> first_running, go_on;
  BatchedWrite first{[&, go = go_on.get_future().share()](Store& store, IfRolledBack& undo) {
                       first_running.set_value();
                       go.wait();
                       return granted_start(key_a)(store, undo);
                     },
                     {}};
  first.reads_ticket = key_a;
  BatchedWrite second{granted_start(key_b), {}};
  second.reads_ticket = key_b;
  std::future<WriteOutcome> first_done = batch.submit(std::move(first));
  std::future<WriteOutcome> second_done = batch.submit(std::move(second));
  batch.open();
  first_running.get_future().wait();
  CHECK_THROWS_WITH_AS(one.raw.one("SELECT uses FROM tickets WHERE key = 'b' FOR UPDATE NOWAIT"),
                       doctest::Contains("could not obtain lock"), std::runtime_error);
  go_on.set_value();
  CHECK(first_done.get().status == WriteOutcome::Status::kDone);
  CHECK(second_done.get().status == WriteOutcome::Status::kDone);
  CHECK(one.raw.one("SELECT string_agg(uses::text, ',' ORDER BY key) FROM tickets") == "4,4");
}

// A batch's signed writes read ahead (Store::read_ahead, docs/performance.md
// "A batch's signed writes read together"): each write's lock is taken, the
// replies are read once every lock is held and answered as read, then as
// this transaction writes them; an undone savepoint forgets what it wrote.
// Another connection reading the same write ahead waits for the lock, then
// finds the reply.
TEST_CASE("signed writes read ahead are locked, answered as read, then as written") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  auto second = open_postgres_store(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "other")));
  store->insert_write_reply(make_write_reply(158, "kept", 2000));  // no transaction: at once
  RawPg raw(db.uri());
  const auto locked_elsewhere = [&](int64_t cdn_id, const std::string& signature) {
    return raw.one("SELECT pg_try_advisory_xact_lock(1936029301, hashtext('" +
                   std::to_string(cdn_id) + "/' || " + raw.literal(signature) + "))") == "f";
  };
  const std::string odd = "a \"quoted\", {braced} \\ sig";  // text[] literal's own characters
  BatchReads reads;
  reads.replies = {{158, kSignedAt, "kept"}, {158, kSignedAt, "new"},  {159, kSignedAt, "kept"},
                   {158, kSignedAt, odd},    {158, kSignedAt, "late"}, {158, kSignedAt, "new"}};
  std::future<std::optional<WriteReply>> repeat;
  store->transaction([&] {
    store->read_ahead(reads);
    CHECK(locked_elsewhere(158, "kept"));
    CHECK(locked_elsewhere(158, "new"));
    CHECK(locked_elsewhere(159, "kept"));
    CHECK(locked_elsewhere(158, odd));
    CHECK_FALSE(locked_elsewhere(158, "unasked"));
    // Kept by another after the read (no server writes one without the
    // lock): answered as read, as a lookup a moment earlier would have been.
    raw.one(
        "INSERT INTO write_replies (cdn_id, signature, expires, held, code, message, payload, "
        "signed_at) VALUES (158, 'late', 2000, 1, 2002, '', '{}', " +
        std::to_string(kSignedAt) + ")");
    CHECK_FALSE(store->write_reply(158, kSignedAt, "late"));
    REQUIRE(store->write_reply(158, kSignedAt, "kept"));
    CHECK(store->write_reply(158, kSignedAt, "kept")->expires == 2000);
    CHECK_FALSE(store->write_reply(159, kSignedAt, "kept"));      // another account's
    CHECK_FALSE(store->write_reply(158, kSignedAt + 1, "kept"));  // another request's time
    CHECK_FALSE(store->write_reply(158, kSignedAt, "new"));
    store->insert_write_reply(make_write_reply(158, "new", 3000));
    REQUIRE(store->write_reply(158, kSignedAt, "new"));  // the batch's repeat of it
    CHECK(store->write_reply(158, kSignedAt, "new")->expires == 3000);
    try {
      store->savepoint([&] {
        store->insert_write_reply(make_write_reply(158, odd, 3000));
        throw std::runtime_error("the part fails");
      });
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(store->write_reply(158, kSignedAt, odd));  // went with its part
    // The same write on another connection, read ahead: it waits for the
    // lock, then reads what this transaction kept.
    repeat = std::async(std::launch::async, [&] {
      std::optional<WriteReply> found;
      BatchReads same;
      same.replies = {{158, kSignedAt, "new"}};
      second->transaction([&] {
        second->read_ahead(same);
        found = second->write_reply(158, kSignedAt, "new");
      });
      return found;
    });
    // Waiting for the lock, not merely slow to start.
    bool waiting = false;
    for (int i = 0; i < 500 && !waiting; ++i) {
      waiting = raw.one(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = "
                    "l.database WHERE d.datname = current_database() AND l.locktype = "
                    "'advisory' AND NOT l.granted") == "1";
      if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(waiting);
    CHECK(repeat.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  });
  const auto found = repeat.get();
  REQUIRE(found);
  CHECK(found->expires == 3000);
  CHECK(raw.one("SELECT string_agg(cdn_id || '/' || signature, ',' ORDER BY signature) FROM "
                "write_replies") == "158/kept,158/late,158/new");
  CHECK_FALSE(locked_elsewhere(158, "new"));  // the locks end with the transaction
}

// Tickets numbered ahead (Store::read_ahead): insert_ticket answers the
// sequence's ids at once and the rows are written as held; once the ids run
// out a ticket is numbered as before. A key taken after all fails the batch,
// and the group commit runs it again in savepoints, where the insert draws
// another key; the other write of the batch is not lost.
TEST_CASE("tickets numbered ahead answer their ids at once; a key taken is drawn again") {
  OneTicket one;  // "k", id 1
  auto& store = one.store;
  std::vector<int64_t> ids;
  store->transaction([&] {
    BatchReads reads;
    reads.new_tickets = 2;
    store->read_ahead(reads);
    // Taken from the sequence now: the next is after them.
    CHECK(one.raw.one("SELECT nextval('tickets_id_seq')") == "4");
    for (const std::string key : {"a", "b", "c"}) {
      auto t = make_ticket(158, key);
      REQUIRE(store->insert_ticket(t));
      ids.push_back(t.id);
    }
    REQUIRE(store->ticket(158, "a"));  // the held rows are written before a read
    CHECK(store->ticket(158, "a")->id == ids[0]);
  });
  CHECK(ids == std::vector<int64_t>{2, 3, 5});  // the third numbered as before
  CHECK(one.raw.one("SELECT string_agg(key || '=' || id, ',' ORDER BY id) FROM tickets") ==
        "k=1,a=2,b=3,c=5");
  CHECK(one.raw.one("SELECT pg_get_serial_sequence('tickets', 'id')") == "public.tickets_id_seq");

  Batch batch(one.db);
  std::atomic<int> runs{0};
  // A write making a ticket under the first of `keys` no ticket has.
  const auto make = [&](std::vector<std::string> keys) {
    return [&runs, keys](Store& s, IfRolledBack&) {
      ++runs;
      std::size_t drawn = 0;
      Ticket t = make_ticket(158, "");
      if (!insert_with_fresh_key(s, t, [&] { return keys.at(drawn++); })) throw StoreError("none");
      return true;
    };
  };
  BatchedWrite first{make({"fresh"}), {}};
  first.adds_ticket = true;
  BatchedWrite second{make({"k", "drawn again"}), {}};
  second.adds_ticket = true;
  std::future<WriteOutcome> first_done = batch.submit(std::move(first));
  std::future<WriteOutcome> second_done = batch.submit(std::move(second));
  batch.open();
  CHECK(first_done.get().status == WriteOutcome::Status::kDone);
  CHECK(second_done.get().status == WriteOutcome::Status::kDone);
  CHECK(runs == 4);  // each twice: numbered ahead, then in savepoints
  CHECK(one.raw.one("SELECT string_agg(key, ',' ORDER BY key) FROM tickets") ==
        "a,b,c,drawn again,fresh,k");
  CHECK(one.raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "5");
}

// New tickets numbered ahead and kept replies are held as attempt rows are and
// written many to a statement (docs/performance.md, "New tickets and kept
// replies written many to a statement"): 131 of each in one transaction, more
// than one statement holds (128 + 2 + 1), each row whole and in its place,
// whatever its text holds.
TEST_CASE("a transaction's new tickets and kept replies are written many to a statement, whole") {
  OneTicket one;  // "k", id 1
  auto& store = one.store;
  const std::size_t n = 131;
  const auto key_of = [](std::size_t i) -> std::string {
    if (i == 7) return "a \"quoted\", {braced} \\ key";
    if (i == 8) return "билет";
    return "t" + std::to_string(i);
  };
  std::string tickets_expected = "k|1|5", replies_expected;
  store->transaction([&] {
    BatchReads reads;
    reads.new_tickets = n;
    store->read_ahead(reads);
    for (std::size_t i = 0; i < n; ++i) {
      auto t = make_ticket(158, key_of(i));
      t.uses = static_cast<int64_t>(i);
      t.ip = "10.1.0." + std::to_string(i % 250);
      REQUIRE(store->insert_ticket(t));
      CHECK(t.id == static_cast<int64_t>(i) + 2);
      tickets_expected += "\n" + key_of(i) + "|" + std::to_string(t.id) + "|" + std::to_string(i);
      WriteReply r;
      r.cdn_id = 158;
      r.signature = "sig " + key_of(i);
      r.signed_at = 1700000000 + static_cast<int64_t>(i);
      r.expires = r.signed_at + 300;
      r.held = i % 2 == 0;
      r.code = static_cast<int64_t>(i % 3);
      r.message = "it's " + std::to_string(i);
      r.payload = "{\"key\":\"" + key_of(i) + "\"}";
      store->insert_write_reply(r);
      replies_expected += (i ? "\n" : "") + r.signature + "|" + std::to_string(r.signed_at) + "|" +
                          std::to_string(r.expires) + "|" + (r.held ? "1" : "0") + "|" +
                          std::to_string(r.code) + "|" + r.message + "|" + r.payload;
    }
  });
  CHECK(one.raw.one("SELECT string_agg(concat_ws('|', key, id, uses), E'\\n' ORDER BY id)"
                    " FROM tickets") == tickets_expected);
  CHECK(one.raw.one("SELECT count(*) FROM tickets WHERE ip LIKE '10.1.0.%' AND pass = 'pw'") ==
        std::to_string(n));
  CHECK(one.raw.one("SELECT string_agg(concat_ws('|', signature, signed_at, expires, held::int,"
                    " code, message, payload), E'\\n' ORDER BY signed_at) FROM write_replies") ==
        replies_expected);
}

// Inside a transaction a kept reply is held and sent with the next statement
// (docs/performance.md, "Kept replies and their lock sent with other
// statements"): a repeat's lookup in the same transaction finds it, and a
// second reply for the same signature fails the transaction, as an insert
// that failed at once would.
TEST_CASE("a held write reply is found by the next lookup, and a duplicate fails its transaction") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  store->transaction([&] {
    CHECK_FALSE(store->write_reply(158, kSignedAt, "sig"));  // the lock and the lookup together
    store->insert_write_reply(make_write_reply(158, "sig", 2000));
    const auto repeat = store->write_reply(158, kSignedAt, "sig");
    REQUIRE(repeat);
    CHECK(repeat->code == 2002);
  });
  CHECK_THROWS_AS(store->transaction([&] {
    store->insert_write_reply(make_write_reply(158, "other", 2000));
    store->insert_write_reply(make_write_reply(158, "sig", 3000));
  }),
                  StoreError);
  CHECK_FALSE(store->write_reply(158, kSignedAt, "other"));  // went with its transaction
  CHECK(store->write_reply(158, kSignedAt, "sig")->expires == 2000);
}

// Inside a transaction a session row is held and sent with the next
// statement, as a kept reply is: a read in the same transaction finds it, and
// a rollback takes it back.
TEST_CASE("a held session row is read as written, and goes with a rollback") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  ViewingSession s;
  s.cdn_id = 158;
  s.key = "k";
  s.started = s.last_seen = 1000;
  s.lapse = 60;
  s.id = "kept";
  store->transaction([&] {
    store->save_viewing_session(s);
    REQUIRE(store->viewing_session("kept"));
    CHECK(store->viewing_session("kept")->last_seen == 1000);
    s.last_seen = 1005;
    store->save_viewing_session(s);  // opened anew over the row: sent in order
  });
  CHECK(store->viewing_session("kept")->last_seen == 1005);
  s.id = "gone";
  CHECK_THROWS_AS(store->transaction([&] {
    store->save_viewing_session(s);
    throw std::runtime_error("rolled back");
  }),
                  std::runtime_error);
  CHECK_FALSE(store->viewing_session("gone"));
}

// Session rows held in a transaction go as upserts of many rows (docs/
// performance.md, "Session rows written many to a statement"): 130 of them,
// more than one statement holds, each whole, whatever its text holds; a
// session saved twice before they go is written once, as it last stood (one
// upsert cannot touch a row twice); a row already stored is overwritten.
TEST_CASE("a transaction's session rows are written many to a statement, each as it last stood") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  RawPg raw(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  const auto session = [](std::size_t i) {
    ViewingSession s;
    s.id = "s" + std::to_string(1000 + i);
    s.cdn_id = 158;
    s.key = i == 3 ? "a \"quoted\", {braced} \\ key" : "k" + std::to_string(i);
    s.ip = "10.2.0." + std::to_string(i % 250);
    s.app = "app's";
    s.video = i == 4 ? "видео" : "v";
    s.media_server = "srs";
    s.protocol = "rtmp";
    s.client_ref = "c" + std::to_string(i);
    s.started = 1000 + static_cast<int64_t>(i);
    s.last_seen = s.started + 1;
    s.lapse = 60;
    s.opened = static_cast<int64_t>(i) + 1;
    return s;
  };
  ViewingSession stored = session(0);
  stored.last_seen = 1;
  store->save_viewing_session(stored);  // outside a transaction: at once
  const std::size_t n = 130;
  std::string expected;
  store->transaction([&] {
    for (std::size_t i = 0; i < n; ++i) {
      store->save_viewing_session(session(i));
      if (i != 6) continue;
      ViewingSession again = session(5);  // among the rows of the same statement
      again.ended = 2000;
      again.end_reason = "bumped";
      store->save_viewing_session(again);
    }
  });
  for (std::size_t i = 0; i < n; ++i) {
    const ViewingSession s = session(i);
    expected += (i ? "\n" : "") + s.id + "|" + s.key + "|" + s.ip + "|" + s.app + "|" + s.video +
                "|" + s.client_ref + "|" + std::to_string(s.started) + "|" +
                std::to_string(s.last_seen) + "|" + (i == 5 ? "2000|bumped" : "0|") + "|" +
                std::to_string(s.opened);
  }
  CHECK(raw.one("SELECT string_agg(concat_ws('|', id, key, ip, app, video, client_ref, started,"
                " last_seen, ended, end_reason, opened), E'\\n' ORDER BY id)"
                " FROM viewing_sessions") == expected);
}

// Reads run together share their account reads (docs/performance.md, "Queued
// reads share their account reads on PostgreSQL"): inside one group an
// account is read once, by id or by name, however another session changes it
// meanwhile; the next group, and a read outside any, read it afresh.
TEST_CASE("reads together read an account once; the next group reads it afresh") {
  OneTicket one;
  auto& store = one.store;
  const auto secret_now = [&] { return store->account(158)->secret; };
  const std::string before(64, 'a'), after(64, 'b');
  store->read_together([&] {
    CHECK(secret_now() == before);
    one.raw.one("UPDATE accounts SET secret = '" + after + "' WHERE cdn_id = 158");
    CHECK(secret_now() == before);
    CHECK(store->ticket(158, "k"));  // other reads still go to the database
  });
  CHECK(secret_now() == after);
  store->read_together([&] {
    CHECK(store->account_by_username("acme")->secret == after);
    one.raw.one("UPDATE accounts SET secret = '" + before + "' WHERE cdn_id = 158");
    CHECK(store->account_by_username("acme")->secret == after);
    CHECK(secret_now() == before);  // by id: not read in this group yet
  });
  store->read_together([&] { CHECK(store->account_by_username("acme")->secret == before); });
}

// A connection the database drops while a statement is held: the statements
// sent together fail as the store being unavailable, the transaction is gone
// with its held update, and the next transaction runs on a new connection.
TEST_CASE("statements sent together on a dropped connection fail unavailable; the next runs anew") {
  OneTicket one;
  auto& store = one.store;
  auto& raw = one.raw;
  CHECK_THROWS_AS(store->transaction([&] {
    auto locked = store->ticket(158, "k");
    REQUIRE(locked);
    locked->uses = 1;
    REQUIRE(store->update_ticket(*locked));  // held
    raw.one(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = "
        "'idle in transaction' AND application_name = 'sevu-server' AND datname = "
        "current_database()");  // not other tests' servers on the shared cluster
    store->insert_attempt(make_attempt(158, "k", 1));  // sent with it, on a dropped connection
  }),
                  StoreUnavailable);
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "5");
  store->transaction([&] {
    auto locked = store->ticket(158, "k");
    REQUIRE(locked);
    locked->uses = 2;
    REQUIRE(store->update_ticket(*locked));
    store->insert_attempt(make_attempt(158, "k", 2));
  });
  CHECK(raw.one("SELECT uses FROM tickets WHERE key = 'k'") == "2");
  CHECK(raw.one("SELECT count(*) FROM attempts") == "1");
}

// The held update fails where it is sent, with the statement after it: that
// must fail the write that held it, not the batch. A trigger refuses updates
// of the ticket "poison". Its write ends with the update held, so in the
// batch's first pass the update goes with the next write's first read; in the
// run again, at the end of its own part. The other write commits.
TEST_CASE("a held ticket update that fails fails its own write, not the batch") {
  TestDatabase db;
  {
    auto store = open_postgres_store(db.uri());
    REQUIRE(store->insert_account(make_account(158, "acme")));
    for (const char* key : {"kept", "poison"}) {
      auto t = make_ticket(158, key);
      REQUIRE(store->insert_ticket(t));
    }
  }
  RawPg raw(db.uri());
  refuse_poison(raw, "UPDATE ON tickets", "poisoned update");
  Batch batch(db);
  const auto start = [](const std::string& key, bool logged) {
    return [key, logged](Store& store, IfRolledBack&) {
      auto t = store.ticket(158, key);
      REQUIRE(t);
      t->uses -= 1;
      REQUIRE(store.update_ticket(*t));
      if (logged) store.insert_attempt(make_attempt(158, key, 1));
      return true;
    };
  };
  std::future<WriteOutcome> poisoned = batch.submit({start("poison", false), {}});
  std::future<WriteOutcome> kept = batch.submit({start("kept", true), {}});
  batch.open();
  const WriteOutcome failed = poisoned.get();
  CHECK(failed.status == WriteOutcome::Status::kFailed);
  CHECK(failed.failure.find("poisoned update") != std::string::npos);
  CHECK(kept.get().status == WriteOutcome::Status::kDone);
  CHECK(raw.one("SELECT string_agg(key || ':' || uses, ',' ORDER BY key) FROM tickets") ==
        "kept:4,poison:5");
  CHECK(raw.one("SELECT string_agg(key, ',') FROM attempts") == "kept");
}

TEST_CASE("a stream-user count inside a transaction waits for another that may add one") {
  TestDatabase db;
  auto first = open_postgres_store(db.uri());
  auto second = open_postgres_store(db.uri());
  REQUIRE(first->insert_account(make_account(158, "acme")));
  std::promise<void> counted;
  auto adding = std::async(std::launch::async, [&] {
    first->transaction([&] {
      CHECK(first->count_stream_users(158) == 0);
      counted.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto u = make_stream_user(158, "live", "cam", std::string("alice"));
      REQUIRE(first->insert_stream_user(u));
    });
  });
  counted.get_future().wait();
  int64_t seen = -1;
  second->transaction([&] { seen = second->count_stream_users(158); });
  adding.get();
  CHECK(seen == 1);  // counted after the first committed its insert
}

TEST_CASE("a transaction whose statement failed reports the failure at commit") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  const auto message = error_of([&] {
    store->transaction([&] {
      auto t = make_ticket(158, "kept?");
      REQUIRE(store->insert_ticket(t));
      try {
        auto bad = make_ticket(4242, "no-account");
        store->insert_ticket(bad);
      } catch (const StoreError&) {  // swallowed: the transaction is aborted all the same
      }
    });
  });
  CHECK(message.find("rolled back") != std::string::npos);
  CHECK_FALSE(store->ticket(158, "kept?"));
  // A broken rule is the request's own failure, not one a retry mends.
  auto orphan = make_ticket(4242, "orphan");
  try {
    store->insert_ticket(orphan);
    FAIL("inserted a ticket of no account");
  } catch (const StoreUnavailable&) {
    FAIL("a foreign-key violation taken for an unavailable store");
  } catch (const StoreError&) {
  }
  CHECK(store->account(158));  // and the connection goes on
}

TEST_CASE("a restarted database fails a write that meets it; reads and later calls reconnect") {
  OwnCluster cluster;
  TestDatabase db(cluster.uri());
  auto store = open_postgres_store(db.uri());
  auto usher = open_postgres_store(db.uri());
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto t = make_ticket(158, "k");
  REQUIRE(usher->insert_ticket(t));

  // Gone in the middle of a transaction: it fails and nothing of it stays.
  CHECK_THROWS_AS(store->transaction([&] {
    auto half = make_ticket(158, "half-written");
    REQUIRE(store->insert_ticket(half));
    cluster.run("restart");
    store->insert_attempt(make_attempt(158, "half-written", 1));
  }),
                  StoreError);
  CHECK(store->ticket(158, "k"));  // reconnected
  CHECK_FALSE(store->ticket(158, "half-written"));
  CHECK(store->count_attempts(158, {}) == 0);

  cluster.run("restart");
  // A write on the dropped session fails (it may have run before the
  // connection broke, so it is not repeated); the next call reconnects.
  std::string message = "<no StoreUnavailable>";
  try {
    store->insert_attempt(make_attempt(158, "k", 2));
  } catch (const StoreUnavailable& e) {
    message = e.what();
  }
  CHECK(message != "<no StoreUnavailable>");
  const auto password = cluster.uri().substr(cluster.uri().find(':', 13) + 1, 32);
  CHECK(message.find(password) == std::string::npos);
  CHECK(store->account(158));
  CHECK(store->count_attempts(158, {}) == 0);
  cluster.run("restart");
  // A read outside a transaction is tried again on a new connection.
  CHECK(store->account(158));
  // A transaction's BEGIN has done nothing yet, so it reconnects and goes on.
  usher->transaction([&] {
    auto ticket = usher->ticket_by_key("k");
    REQUIRE(ticket);
    ticket->uses -= 1;
    CHECK(usher->update_ticket(*ticket));
  });
  CHECK(store->ticket(158, "k")->uses == 4);
}

TEST_CASE("an unreachable database fails fast with StoreError and never shows the password") {
  // A port nothing listens on.
  const std::string uri = "postgresql://sevu:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=2";
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(open_postgres_store(uri), StoreUnavailable);
  const auto message = error_of([&] { open_postgres_store(uri); });
  CHECK(message.find("cannot connect to PostgreSQL postgresql://sevu:***@127.0.0.1:1/nowhere") == 0);
  CHECK(message.find("s3cret-pw") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  const auto bad_password = with_database(read_line(env("SEVU_TEST_PG_URI_FILE")), "postgres");
  const auto wrong = "postgresql://sevu:wrong-pw@" + bad_password.substr(bad_password.find('@') + 1);
  const auto refused = error_of([&] { open_postgres_store(wrong); });
  CHECK(refused.find("password authentication failed") != std::string::npos);
  CHECK(refused.find("wrong-pw") == std::string::npos);
}

TEST_CASE("db_display_name hides a URI's password and leaves paths alone") {
  CHECK(is_postgres_uri("postgresql://h/db"));
  CHECK(is_postgres_uri("postgres://h/db"));
  CHECK_FALSE(is_postgres_uri("data/sevu.db"));
  CHECK_FALSE(is_postgres_uri("postgresql:/h"));
  CHECK(db_display_name("data/sevu.db") == "data/sevu.db");
  CHECK(db_display_name("postgresql://u:p%40ss@h:5/db") == "postgresql://u:***@h:5/db");
  CHECK(db_display_name("postgres://u@h/db") == "postgres://u@h/db");
  CHECK(db_display_name("postgresql://h/db?user=u&password=x&sslmode=require") ==
        "postgresql://h/db?user=u&password=***&sslmode=require");
  CHECK(db_display_name("postgresql:///db?password=x") == "postgresql:///db?password=***");
}

TEST_CASE("backup copies a PostgreSQL store into a new SQLite file, never over one") {
  TestDatabase db;
  auto store = open_postgres_store(db.uri());
  const Account a = make_account(77, "backed");
  REQUIRE(store->insert_account(a));
  const std::string dest = std::filesystem::temp_directory_path() / "sevu-pg-backup-test.db";
  std::filesystem::remove(dest);
  store->backup_to(dest);
  auto copy = open_sqlite_store(dest, OpenMode::kMustExist);
  REQUIRE(copy->account(77));
  CHECK(copy->account(77)->secret == a.secret);
  CHECK((std::filesystem::status(dest).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  CHECK(error_of([&] { store->backup_to(dest); }).find("already exists") != std::string::npos);
  CHECK(copy->account(77));  // the existing file is untouched
  std::filesystem::remove(dest);
}

// SqliteStore against a real database file in a fresh temporary directory: the
// store contract (store_contract.hpp) and what only SQLite has (files, modes,
// backup, the raw schema).
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/migrations.hpp"
#include "store/store.hpp"
#include "sqlite_raw.hpp"
#include "temp_dir.hpp"

namespace {

using namespace sevu;

// A plain connection for looking under the store's interface.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open failed");
  }
  ~RawDb() { sqlite3_close(db); }
  void exec(const std::string& sql) { ::exec(db, sql); }
  // Every row of a query, columns as text joined by '|'.
  std::vector<std::string> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db));
    }
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i) row += "|";
        const auto* text = sqlite3_column_text(stmt, i);
        row += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string one(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() ? "<none>" : r.front();
  }
};


// Each contract case gets its own database file in its own directory.
struct ContractBackend {
  static constexpr bool kHoldsAnyBytes = true;
  TempDir dir;
  std::unique_ptr<Store> open() { return open_sqlite_store(dir.file("sevu.db")); }
};

}  // namespace

#define CONTRACT "sqlite: "
#include "store_contract.hpp"

TEST_CASE("the schema is compiled in and ordered") {
  const auto& files = embedded_schema_files();
  REQUIRE(!files.empty());
  CHECK(std::string(files.front().name) == "0001_init.sql");
  CHECK(std::string(files.front().sql).find("CREATE TABLE accounts") != std::string::npos);
}

TEST_CASE("migrations are recorded once and reopening is a no-op") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  open_sqlite_store(path);

  RawDb raw(path);
  const auto recorded = raw.rows("SELECT version, name FROM schema_migrations ORDER BY version");
  REQUIRE(recorded.size() == known_migrations().size());
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    CHECK(recorded[i] ==
          std::to_string(known_migrations()[i].version) + "|" + known_migrations()[i].name);
  }
  CHECK(raw.one("SELECT COUNT(*) FROM schema_migrations WHERE applied > 0") ==
        std::to_string(recorded.size()));
  CHECK(raw.one("PRAGMA journal_mode") == "wal");
  for (const char* table : {"accounts", "tickets", "attempts", "stream_users", "write_replies"}) {
    CHECK(raw.one(
              std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
              table + "'") == "1");
  }
  raw.exec("UPDATE schema_migrations SET applied = 1");  // a re-run would write a new time

  auto again = open_sqlite_store(path);
  CHECK(again->accounts().empty());
  CHECK(raw.rows("SELECT version, applied FROM schema_migrations ORDER BY version").size() ==
        recorded.size());
  CHECK(raw.one("SELECT COUNT(*) FROM schema_migrations WHERE applied <> 1") == "0");
}

TEST_CASE("a database from a newer sevu-server is refused") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  open_sqlite_store(path);
  const int64_t newer = known_migrations().back().version + 2;
  {
    RawDb raw(path);
    raw.exec("INSERT INTO schema_migrations (version, name, applied) VALUES (" +
             std::to_string(newer) + ", '9999_future.sql', 0)");
  }
  const std::string expected = "database schema version " + std::to_string(newer) +
                               " is newer than this sevu-server supports (" +
                               std::to_string(known_migrations().back().version) +
                               "); upgrade sevu-server";
  CHECK(error_of([&] { open_sqlite_store(path); }) == expected);
}

TEST_CASE("a failing migration leaves no trace and later ones are not applied") {
  TempDir dir;
  const auto path = dir.file("m.db");
  RawDb raw(path);
  std::vector<SchemaFile> files = {
      {"0001_first.sql", "CREATE TABLE first (x INTEGER);"},
      {"0002_broken.sql", "CREATE TABLE second (x INTEGER); INSERT INTO missing VALUES (1);"},
      {"0003_third.sql", "CREATE TABLE third (x INTEGER);"},
  };
  const std::string message = error_of([&] { apply_migrations(raw.db, parse_migrations(files)); });
  CHECK(message.find("0002_broken.sql") != std::string::npos);
  CHECK(message.find("missing") != std::string::npos);
  CHECK(raw.rows("SELECT version FROM schema_migrations") == std::vector<std::string>{"1"});
  CHECK(raw.one("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('second', 'third')") == "0");

  files[1].sql = "CREATE TABLE second (x INTEGER);";
  apply_migrations(raw.db, parse_migrations(files));
  CHECK(raw.rows("SELECT version FROM schema_migrations ORDER BY version") ==
        std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("migration names are checked") {
  CHECK_THROWS_AS(parse_migrations({{"init.sql", ""}}), StoreError);
  CHECK_THROWS_AS(parse_migrations({{"0000_zero.sql", ""}}), StoreError);
  CHECK_THROWS_AS(parse_migrations({{"0001_Upper.sql", ""}}), StoreError);
  CHECK_THROWS_AS(parse_migrations({{"0002_b.sql", ""}, {"0001_a.sql", ""}}), StoreError);
  CHECK_THROWS_AS(parse_migrations({{"0001_a.sql", ""}, {"0001_b.sql", ""}}), StoreError);
  CHECK(parse_migrations({{"0001_a.sql", "x"}, {"0005_b_2.sql", "y"}}).back().version == 5);
}

TEST_CASE("opening a bad path throws StoreError") {
  TempDir dir;
  CHECK_THROWS_AS(open_sqlite_store(""), StoreError);
  CHECK_THROWS_AS(open_sqlite_store(dir.file("no/such/dir/sevu.db")), StoreError);
  const auto garbage = dir.file("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  CHECK_THROWS_AS(open_sqlite_store(garbage), StoreError);
}

TEST_CASE("kMustExist refuses a missing database and creates nothing") {
  TempDir dir;
  const auto path = dir.file("typo.db");
  try {
    open_sqlite_store(path, OpenMode::kMustExist);
    FAIL("opened a missing database");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()) == "database " + path + " does not exist");
  }
  CHECK(std::filesystem::is_empty(dir.path));
  open_sqlite_store(path);  // kCreate, as serve does
  auto store = open_sqlite_store(path, OpenMode::kMustExist);
  CHECK(store->accounts().empty());
}

TEST_CASE("database files are owner-only, also when an older version left them open") {
  using std::filesystem::perms;
  TempDir dir;
  const auto path = dir.file("sevu.db");
  const auto mode = [](const std::string& p) {
    return std::filesystem::status(p).permissions() & perms::all;
  };
  const mode_t old_umask = ::umask(022);
  {
    auto store = open_sqlite_store(path);
    Account a{158, "demo", "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE", std::string(64, 'a')};
    REQUIRE(store->insert_account(a));  // a write: -wal and -shm exist now
    for (const char* suffix : {"", "-wal", "-shm"})
      CHECK(mode(path + suffix) == (perms::owner_read | perms::owner_write));
  }
  std::filesystem::permissions(
      path, perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  open_sqlite_store(path, OpenMode::kMustExist);
  CHECK(mode(path) == (perms::owner_read | perms::owner_write));
  ::umask(old_umask);
}

TEST_CASE("backup_to writes a readable copy and never overwrites") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto t = make_ticket(158, "kept");
  REQUIRE(store->insert_ticket(t));
  store->insert_attempt(make_attempt(158, "kept", 5));
  auto u = make_stream_user(158, "acme-live", "cam", std::string("alice"));
  REQUIRE(store->insert_stream_user(u));

  const auto dest = dir.file("backup.db");
  store->backup_to(dest);
  {
    auto copy = open_sqlite_store(dest);
    REQUIRE(copy->account(158));
    CHECK(copy->account(158)->username == "acme");
    REQUIRE(copy->ticket(158, "kept"));
    CHECK(copy->ticket(158, "kept")->id == t.id);
    CHECK(copy->attempts(158, {}).size() == 1);
    CHECK(copy->stream_user(158, u.id)->user == std::string("alice"));
  }
  RawDb raw(dest);
  CHECK(raw.rows("SELECT version FROM schema_migrations").size() == known_migrations().size());

  const auto message = error_of([&] { store->backup_to(dest); });
  CHECK(message.find("already exists") != std::string::npos);
  const auto occupied = dir.file("occupied");
  std::ofstream(occupied) << "precious";
  CHECK_THROWS_AS(store->backup_to(occupied), StoreError);
  std::ifstream in(occupied);
  std::string content;
  in >> content;
  CHECK(content == "precious");
  CHECK_THROWS_AS(store->backup_to(dir.file("no/such/dir/b.db")), StoreError);
  CHECK_THROWS_AS(store->backup_to(""), StoreError);
}

TEST_CASE("kReadOnly reads, writes nothing, and refuses a schema it does not match") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  CHECK(error_of([&] { open_sqlite_store(path, OpenMode::kReadOnly); }) ==
        "database " + path + " does not exist");
  CHECK(!std::filesystem::exists(path));
  open_sqlite_store(path)->insert_attempt(make_attempt(0, "k", 1));
  auto reader = open_sqlite_store(path, OpenMode::kReadOnly);
  CHECK(reader->attempts_after(0, std::nullopt, std::nullopt, 10).size() == 1);
  CHECK_THROWS_AS(reader->insert_attempt(make_attempt(0, "k", 2)), StoreError);
  {
    RawDb raw(path);
    raw.exec("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM "
             "schema_migrations)");
  }
  CHECK(error_of([&] { open_sqlite_store(path, OpenMode::kReadOnly); }).find("older") !=
        std::string::npos);
  check_sqlite_database(path);  // serve would migrate it: fine for --check-config
}

TEST_CASE("check_sqlite_database changes nothing and names the problem") {
  TempDir dir;
  check_sqlite_database(dir.file("new/dir/sevu.db"));  // serve could make it
  CHECK(std::filesystem::is_empty(dir.path));
  const auto text = dir.file("notes.txt");
  std::ofstream(text) << std::string(4096, 'x');
  CHECK(error_of([&] { check_sqlite_database(text); }).find("database " + text) == 0);
  CHECK(error_of([&] { check_sqlite_database(text + "/sevu.db"); }).find("not a directory") !=
        std::string::npos);
  const auto path = dir.file("sevu.db");
  open_sqlite_store(path);  // closed again: a stopped server's database
  for (const char* side : {"-wal", "-shm"}) std::filesystem::remove(path + side);
  check_sqlite_database(path);
  CHECK(!std::filesystem::exists(path + "-wal"));
  CHECK(!std::filesystem::exists(path + "-shm"));
}

TEST_CASE("forgetting kept replies walks the index by second; none over their expiry is kept") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  auto store = open_sqlite_store(path);
  store->insert_write_reply(write_reply_signed_at(158, "old", 800));
  store->insert_write_reply(write_reply_signed_at(159, "fresh", 900));
  CHECK(store->delete_write_replies_signed_before(850, 100) == 1);
  RawDb raw(path);
  CHECK(raw.one("SELECT signature FROM write_replies") == "fresh");
  CHECK(raw.one("EXPLAIN QUERY PLAN SELECT rowid FROM write_replies WHERE signed_at < 1 "
                "ORDER BY signed_at LIMIT 1")
            .find("write_replies_by_second") != std::string::npos);
  CHECK(raw.one("SELECT count(*) FROM sqlite_master WHERE name = 'write_replies_by_expiry'") ==
        "0");
}

// 0009 makes the table again with the request's timestamp leading its key, and
// 0011 again in arrival order (kept replies are found through memory): a reply
// held at the upgrade stays, with signed_at = expires - 300 (the default
// window), and the lookup by second (over the memory index's capacity) is a
// seek on its index, not a scan.
TEST_CASE("0009 and 0011 keep the held replies; a lookup by second uses its index") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  {
    RawDb raw(path);
    apply_migrations(raw.db, migrations_before(known_migrations(), 9));
    raw.exec(
        "INSERT INTO write_replies (cdn_id, signature, expires, held, code, message, payload)"
        " VALUES (158, 'c2ln', 1300, 1, 2002, 'granted', '{\"ticket\":{}}')");
  }
  auto store = open_sqlite_store(path);
  auto kept = store->write_reply(158, 1000, "c2ln");
  REQUIRE(kept);
  CHECK(kept->signed_at == 1000);
  CHECK(kept->expires == 1300);
  CHECK(kept->code == 2002);
  CHECK(kept->payload == "{\"ticket\":{}}");
  CHECK_FALSE(store->write_reply(158, 1001, "c2ln"));
  RawDb raw(path);
  const std::string plan = raw.one(
      "EXPLAIN QUERY PLAN SELECT * FROM write_replies WHERE signed_at = 1 AND cdn_id = 2"
      " AND signature = 'x'");
  CHECK(plan.find("write_replies_by_second (signed_at=?)") != std::string::npos);
}

// What read_together is for on SQLite: one read transaction, so a change
// committed by another connection between its statements is not seen by the
// second one, and a write inside is refused rather than made on that snapshot.
TEST_CASE("read_together reads one snapshot and refuses a write inside") {
  TempDir dir;
  const auto path = dir.file("snapshot.db");
  auto store = open_sqlite_store(path);
  Account a;
  a.cdn_id = 158;
  a.username = "acme";
  a.api_key = "K";
  a.secret = "old";
  REQUIRE(store->insert_account(a));
  auto admin = open_sqlite_store(path);
  std::string first, second;
  store->read_together([&] {
    first = store->account(158)->secret;
    REQUIRE(admin->set_account_secret(158, "new"));  // committed by another connection
    second = store->account(158)->secret;
  });
  CHECK(first == "old");
  CHECK(second == "old");
  CHECK(store->account(158)->secret == "new");  // the next read sees it
  // A read inside a read joins it (StorePool's read groups), and an account
  // read in one read transaction is not what the next one finds.
  std::string joined, later;
  store->read_together([&] {
    store->read_together([&] { first = store->account(158)->secret; });
    REQUIRE(admin->set_account_secret(158, "newer"));
    store->read_together([&] { joined = store->account(158)->secret; });
  });
  store->read_together([&] { later = store->account(158)->secret; });
  CHECK(first == "new");
  CHECK(joined == "new");
  CHECK(later == "newer");
  REQUIRE(admin->set_account_secret(158, "new"));
  CHECK_THROWS_AS(store->read_together([&] {
    store->transaction([&] { store->set_account_secret(158, "inside"); });
  }),
                  StoreError);
  CHECK(store->account(158)->secret == "new");
}

namespace {

// The connections SQLite opens while a test holds this, so that the test can
// set a limit on the store's own connection (a limit no option exposes).
std::vector<sqlite3*> g_opened;

int remember_connection(sqlite3* db, const char**, const struct sqlite3_api_routines*) {
  g_opened.push_back(db);
  return SQLITE_OK;
}

struct OpenedConnections {
  OpenedConnections() {
    g_opened.clear();
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(&remember_connection));
  }
  ~OpenedConnections() {
    sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(&remember_connection));
  }
};

// A store on its own file whose connection a test can stop from growing.
struct FullDiskStore {
  TempDir dir;
  std::string path = dir.file("full.db");
  OpenedConnections opened;
  std::unique_ptr<Store> store = open_sqlite_store(path);
  sqlite3* db = nullptr;  // the store's connection, idle between calls

  FullDiskStore() {
    REQUIRE(store->insert_account(make_account(158, "acme")));
    REQUIRE(!g_opened.empty());
    db = g_opened.back();
  }

  // A row needing pages a file that may not grow has not got.
  static Attempt big_row(int64_t datetime) {
    Attempt big = make_attempt(158, "big", datetime);
    big.pageurl.assign(64 * 1024, 'x');
    return big;
  }

  // Runs `write` while the file may not grow, then lets it grow again; true
  // when `write` failed as a full disk does (SQLITE_FULL's message).
  bool fails_as_full(const std::function<void()>& write) {
    exec(db, "PRAGMA max_page_count = " + std::to_string(scalar(db, "PRAGMA page_count")));
    bool full = false;
    try {
      write();
    } catch (const StoreError& e) {
      full = std::string(e.what()).find("full") != std::string::npos;
    }
    exec(db, "PRAGMA max_page_count = 1073741823");
    return full;
  }
};

}  // namespace

// SQLITE_FULL on a plain INSERT rolls back the whole transaction, not only the
// statement. A body that catches that failure and goes on must not leave the
// hourly totals it counted (store/attempt_tally.hpp) to be written on their
// own, outside any transaction, for rows that are gone: COMMIT reports the
// failure, and the totals still agree with the rows.
TEST_CASE("a full database ends the transaction and its hourly totals with it") {
  FullDiskStore disk;
  auto& store = disk.store;
  const int64_t hour = 3600 * 400000;
  bool full = false;
  CHECK_THROWS_AS(store->transaction([&] {
    store->insert_attempt(make_attempt(158, "k", hour + 1));
    // The totals could be written once the file may grow again.
    full = disk.fails_as_full([&] {
      store->insert_attempt(FullDiskStore::big_row(hour + 2));
      // Attempt rows are held and written before the connection's next
      // statement (docs/performance.md, "Attempt rows written several to a
      // statement"): this read is where the file must grow.
      store->count_attempts(158, AttemptFilter{});
    });
  }),
                  StoreError);
  REQUIRE(full);
  RawDb raw(disk.path);
  CHECK(raw.one("SELECT count(*) FROM attempts") == "0");
  CHECK(raw.one("SELECT count(*) FROM attempt_counts") == "0");
  AttemptFilter all;
  CHECK(store->count_attempts(158, all) == 0);
}

// Attempt rows given to hold_attempt are held back and written several to a
// statement (docs/performance.md, "Attempt rows written several to a
// statement"). What the store answers must not tell: SQLite numbers them in the
// order they were held among the rows inserted at once, reads in the same
// transaction see them, and a rollback or an undone savepoint leaves none of
// them.
TEST_CASE("attempt rows held back read, number and roll back as rows written at once") {
  TempDir dir;
  const auto path = dir.file("held.db");
  auto store = open_sqlite_store(path);
  REQUIRE(store->insert_account(make_account(158, "acme")));
  const int64_t t0 = 1'700'000'000;
  AttemptFilter all;
  const auto refused = [](const std::string& key, int64_t datetime) {
    Attempt a = make_attempt(158, key, datetime);
    a.success = false;
    a.reason = "Invalid Auth Token";
    return a;
  };
  RawDb raw(path);
  const auto keys_from = [&](int64_t id) {
    return raw.one("SELECT group_concat(key) FROM (SELECT key FROM attempts WHERE id >= " +
                   std::to_string(id) + " ORDER BY id)");
  };

  // 40 rows: two statements of sixteen and eight single rows, and a grant's
  // row inserted at once among them, after the rows held before it.
  store->transaction([&] {
    for (int i = 0; i < 40; ++i) {
      const std::string key = "k" + std::to_string(i);
      if (i == 20) {
        CHECK(store->insert_attempt(make_attempt(158, key, t0 + i)) == 21);
      } else {
        store->hold_attempt(refused(key, t0 + i));
      }
    }
    AttemptFilter k5;
    k5.key = "k5";
    const auto found = store->attempts(158, k5);  // read inside the same transaction
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == 6);
    CHECK(store->count_attempts(158, all) == 40);
    store->hold_attempt(refused("k40", t0 + 40));  // after a read
  });
  for (int i = 0; i <= 40; ++i) {
    CAPTURE(i);
    CHECK(raw.one("SELECT key, datetime FROM attempts WHERE id = " + std::to_string(i + 1)) ==
          "k" + std::to_string(i) + "|" +
              std::to_string(t0 + i));  // an empty table's ids from 1 on
  }
  CHECK(raw.one("SELECT count(*) FROM attempts") == "41");
  CHECK(raw.one("SELECT group_concat(key) FROM attempts WHERE success = 1") == "k20");
  CHECK(raw.one("SELECT sum(n) FROM attempt_counts") == "41");

  // An undone savepoint takes its rows back; the ones before and after stay,
  // numbered one after the other.
  store->transaction([&] {
    store->hold_attempt(refused("before", t0 + 50));
    try {
      store->savepoint([&] {
        store->hold_attempt(refused("undone", t0 + 51));
        throw std::runtime_error("the part fails");
      });
    } catch (const std::runtime_error&) {
    }
    store->hold_attempt(refused("after", t0 + 52));
  });
  CHECK(keys_from(42) == "before,after");
  CHECK(raw.one("SELECT id FROM attempts WHERE key = 'after'") == "43");

  // A transaction rolled back leaves none of its rows, and numbering goes on
  // from the largest id there is.
  CHECK_THROWS_AS(store->transaction([&] {
    for (int i = 0; i < 20; ++i) store->hold_attempt(refused("gone", t0 + 60));
    throw std::runtime_error("rolled back");
  }),
                  std::runtime_error);
  CHECK(raw.one("SELECT count(*) FROM attempts WHERE key = 'gone'") == "0");

  // Another connection's rows between two transactions are not numbered over.
  auto other = open_sqlite_store(path);
  store->transaction([&] { store->hold_attempt(refused("mine", t0 + 70)); });
  other->transaction([&] { other->hold_attempt(refused("other", t0 + 71)); });
  store->transaction([&] { store->hold_attempt(refused("mine again", t0 + 72)); });
  CHECK(keys_from(44) == "mine,other,mine again");
  CHECK(raw.one("SELECT max(id) FROM attempts") == "46");
  CHECK(store->count_attempts(158, all) == 46);
}

// Past INT64_MAX SQLite draws an unused id at random: so it does for held rows,
// which it numbers as it writes them.
TEST_CASE("attempt rows held back next to the largest id take ids SQLite draws") {
  TempDir dir;
  const auto path = dir.file("largest.db");
  auto store = open_sqlite_store(path);
  REQUIRE(store->insert_account(make_account(158, "acme")));
  Attempt last = make_attempt(158, "last", 1'700'000'000);
  last.id = std::numeric_limits<int64_t>::max() - 1;
  store->copy_in(last);
  store->transaction([&] {
    for (int i = 0; i < 3; ++i) {
      Attempt a = make_attempt(158, "refused" + std::to_string(i), 1'700'000'001 + i);
      a.success = false;
      store->hold_attempt(a);
    }
  });
  RawDb raw(path);
  CHECK(raw.one("SELECT count(*), count(DISTINCT id), min(id) > 0 FROM attempts") == "4|4|1");
  CHECK(raw.one("SELECT key FROM attempts WHERE id = " +
                std::to_string(std::numeric_limits<int64_t>::max())) == "refused0");
}

// A batch's writes run again each in a savepoint go on after one fails. When
// that failure made SQLite roll back the whole transaction (a full disk), the
// parts after it must fail too, not begin transactions of their own whose
// RELEASE commits them alone.
TEST_CASE("a savepoint after a failure that ended the transaction fails and commits nothing") {
  FullDiskStore disk;
  auto& store = disk.store;
  bool full = false, later_part_failed = false;
  CHECK_THROWS_AS(store->transaction([&] {
    store->insert_attempt(make_attempt(158, "before", 1'700'000'000));
    full = disk.fails_as_full([&] {
      store->savepoint([&] { store->insert_attempt(FullDiskStore::big_row(1'700'000'001)); });
    });
    try {
      store->savepoint([&] { store->insert_attempt(make_attempt(158, "after", 1'700'000'002)); });
    } catch (const StoreError&) {
      later_part_failed = true;
    }
  }),
                  StoreError);
  REQUIRE(full);
  CHECK(later_part_failed);
  RawDb raw(disk.path);
  CHECK(raw.one("SELECT count(*) FROM attempts") == "0");
  CHECK(raw.one("SELECT count(*) FROM attempt_counts") == "0");
}

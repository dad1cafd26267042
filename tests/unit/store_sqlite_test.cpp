// SqliteStore against a real database file in a fresh temporary directory.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/migrations.hpp"
#include "store/store.hpp"

namespace {

using namespace sevu;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sevu-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// A plain connection for looking under the store's interface.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open failed");
  }
  ~RawDb() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }
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

Account make_account(int64_t cdn_id, const std::string& username) {
  Account a;
  a.cdn_id = cdn_id;
  a.username = username;
  a.api_key = "APIKEY" + std::to_string(cdn_id);
  a.secret = std::string(64, 'a');
  a.created = 1700000000;
  return a;
}

Ticket make_ticket(int64_t cdn_id, const std::string& key) {
  Ticket t;
  t.cdn_id = cdn_id;
  t.key = key;
  t.pass = "pw";
  t.ip = "auto";
  t.video = "vid*";
  t.app = "acme-live";
  t.uses = 5;
  t.created = 1700000000;
  t.expires = 1700600000;
  return t;
}

Attempt make_attempt(int64_t cdn_id, const std::string& key, int64_t datetime) {
  Attempt a;
  a.cdn_id = cdn_id;
  a.key = key;
  a.datetime = datetime;
  a.pass = "pw";
  a.ip = "10.0.0.1";
  a.video = "vid1";
  a.app = "acme-live";
  a.appinst = "_definst_";
  a.pageurl = "https://example.org/page";
  a.refurl = "https://example.org/";
  a.success = true;
  a.reason = "Success";
  a.server = "SER1-1";
  return a;
}

StreamUser make_stream_user(int64_t cdn_id, const std::string& app, const std::string& stream,
                            const std::optional<std::string>& user) {
  StreamUser u;
  u.cdn_id = cdn_id;
  u.app = app;
  u.stream = stream;
  u.user = user;
  if (user) u.pass_hash = "$pbkdf2-sha256$1000$c2FsdA$aGFzaA";
  u.created = 1700000000;
  return u;
}

std::vector<int64_t> ids(const std::vector<Ticket>& tickets) {
  std::vector<int64_t> out;
  for (const auto& t : tickets) out.push_back(t.id);
  return out;
}

std::vector<int64_t> ids(const std::vector<Attempt>& attempts) {
  std::vector<int64_t> out;
  for (const auto& a : attempts) out.push_back(a.id);
  return out;
}

std::vector<int64_t> ids(const std::vector<StreamUser>& users) {
  std::vector<int64_t> out;
  for (const auto& u : users) out.push_back(u.id);
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "<no StoreError>";
}

}  // namespace

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

TEST_CASE("accounts") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));

  CHECK(store->next_cdn_id() == 1000);
  CHECK(store->insert_account(make_account(1200, "zed")));
  CHECK(store->insert_account(make_account(158, "acme")));
  CHECK(store->next_cdn_id() == 1201);
  CHECK_FALSE(store->insert_account(make_account(158, "other")));  // cdn_id taken
  CHECK_FALSE(store->insert_account(make_account(159, "acme")));   // username taken
  CHECK_THROWS_AS(store->insert_account(make_account(0, "nobody")), StoreError);
  CHECK(store->insert_account(make_account(159, "beta")));  // statements reset after a failure

  auto acme = store->account(158);
  REQUIRE(acme);
  CHECK(acme->username == "acme");
  CHECK(acme->api_key == "APIKEY158");
  CHECK(acme->secret == std::string(64, 'a'));
  CHECK(acme->active);
  CHECK(acme->max_stream_users == 50);
  CHECK(acme->created == 1700000000);
  CHECK_FALSE(store->account(157));

  const auto all = store->accounts();
  REQUIRE(all.size() == 3);
  CHECK(all[0].cdn_id == 158);
  CHECK(all[1].cdn_id == 159);
  CHECK(all[2].cdn_id == 1200);

  CHECK(store->set_account_secret(158, std::string(64, 'b')));
  CHECK(store->account(158)->secret == std::string(64, 'b'));
  CHECK(store->set_account_active(158, false));
  CHECK_FALSE(store->account(158)->active);
  CHECK(store->account(159)->active);
  CHECK_FALSE(store->set_account_secret(4242, "x"));
  CHECK_FALSE(store->set_account_active(4242, true));
}

TEST_CASE("tickets") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "beta")));

  auto t = make_ticket(158, "vid_.0123456789abcd.12345678");
  CHECK(store->insert_ticket(t));
  CHECK(t.id > 0);

  auto same_key = make_ticket(159, t.key);  // keys are unique across accounts
  CHECK_FALSE(store->insert_ticket(same_key));
  auto orphan = make_ticket(999, "orphan.0123456789abcd.12345678");
  CHECK_THROWS_AS(store->insert_ticket(orphan), StoreError);  // no such account

  auto got = store->ticket(158, t.key);
  REQUIRE(got);
  CHECK(got->id == t.id);
  CHECK(got->cdn_id == 158);
  CHECK(got->pass == "pw");
  CHECK(got->ip == "auto");
  CHECK(got->video == "vid*");
  CHECK(got->app == "acme-live");
  CHECK(got->uses == 5);
  CHECK(got->active);
  CHECK(got->created == 1700000000);
  CHECK(got->expires == 1700600000);
  CHECK(got->used == 0);
  CHECK(store->ticket_by_key(t.key)->id == t.id);
  CHECK_FALSE(store->ticket_by_key("nope"));

  got->ip = "10.0.0.1";
  got->uses = 4;
  got->active = false;
  got->expires = 1800000000;
  got->used = 1700000100;
  got->pass = "ignored";  // not part of the mutable state
  CHECK(store->update_ticket(*got));
  auto updated = store->ticket(158, t.key);
  CHECK(updated->ip == "10.0.0.1");
  CHECK(updated->uses == 4);
  CHECK_FALSE(updated->active);
  CHECK(updated->expires == 1800000000);
  CHECK(updated->used == 1700000100);
  CHECK(updated->pass == "pw");

  auto missing = make_ticket(158, "missing");
  CHECK_FALSE(store->update_ticket(missing));
  CHECK(store->delete_ticket(158, t.key));
  CHECK_FALSE(store->ticket(158, t.key));
  CHECK_FALSE(store->delete_ticket(158, t.key));

  auto next = make_ticket(158, "next");
  REQUIRE(store->insert_ticket(next));
  CHECK(next.id > t.id);  // ids of deleted tickets are not reused
}

TEST_CASE("unusual text survives the round trip") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto t = make_ticket(158, std::string("k\0ey'); DROP TABLE tickets;--", 29));
  t.video = "vidéo/✓";
  t.pass = std::string(100000, 'p');
  REQUIRE(store->insert_ticket(t));
  auto got = store->ticket_by_key(t.key);
  REQUIRE(got);
  CHECK(got->key == t.key);
  CHECK(got->key.size() == 29);
  CHECK(got->video == "vidéo/✓");
  CHECK(got->pass == t.pass);
  CHECK(store->tickets(158, {}).size() == 1);
}

TEST_CASE("accounts cannot reach each other's rows") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "beta")));

  auto theirs = make_ticket(159, "beta.0123456789abcd.00000001");
  REQUIRE(store->insert_ticket(theirs));
  CHECK_FALSE(store->ticket(158, theirs.key));
  CHECK(store->tickets(158, {}).empty());
  TicketFilter by_key;
  by_key.key = theirs.key;
  CHECK(store->tickets(158, by_key).empty());
  auto hijack = theirs;
  hijack.cdn_id = 158;
  hijack.uses = 1000;
  hijack.active = false;
  CHECK_FALSE(store->update_ticket(hijack));
  CHECK_FALSE(store->delete_ticket(158, theirs.key));
  auto still = store->ticket(159, theirs.key);
  REQUIRE(still);
  CHECK(still->uses == 5);
  CHECK(still->active);

  auto user = make_stream_user(159, "beta-live", "cam", std::string("bob"));
  REQUIRE(store->insert_stream_user(user));
  CHECK_FALSE(store->stream_user(158, user.id));
  CHECK(store->stream_users(158, std::nullopt, std::nullopt).empty());
  CHECK(store->count_stream_users(158) == 0);
  auto user_hijack = user;
  user_hijack.cdn_id = 158;
  user_hijack.pass_hash = "mine";
  CHECK_FALSE(store->update_stream_user(user_hijack));
  CHECK_FALSE(store->delete_stream_user(158, user.id));
  CHECK(store->stream_user(159, user.id)->pass_hash == user.pass_hash);
  CHECK(store->count_stream_users(159) == 1);

  store->insert_attempt(make_attempt(159, theirs.key, 100));
  store->insert_attempt(make_attempt(0, "unknown", 101));
  CHECK(store->attempts(158, {}).empty());
  AttemptFilter f;
  f.key = theirs.key;
  CHECK(store->attempts(158, f).empty());
  CHECK(store->count_attempts(158, f) == 0);
  CHECK(store->count_attempts(159, f) == 1);
  CHECK(store->attempts(0, {}).size() == 1);  // unmatched keys are logged under 0
}

TEST_CASE("ticket listing filters and pages") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "beta")));
  std::vector<int64_t> all;
  for (int i = 0; i < 10; ++i) {
    auto t = make_ticket(158, "key" + std::to_string(i));
    t.pass = i % 2 ? "odd" : "even";
    t.ip = i < 5 ? "" : "1.2.3.4";
    t.video = "v" + std::to_string(i % 3);
    t.app = i < 8 ? "acme-live" : "acme-vod";
    t.uses = i;
    t.active = i != 3;
    REQUIRE(store->insert_ticket(t));
    all.push_back(t.id);
    auto other = make_ticket(159, "other" + std::to_string(i));  // interleaved, never listed
    REQUIRE(store->insert_ticket(other));
  }

  CHECK(ids(store->tickets(158, {})) == all);
  auto filtered = [&](auto set) {
    TicketFilter f;
    set(f);
    return ids(store->tickets(158, f));
  };
  using V = std::vector<int64_t>;
  CHECK(filtered([](TicketFilter& f) { f.key = "key4"; }) == V{all[4]});
  CHECK(filtered([](TicketFilter& f) { f.pass = "odd"; }) ==
        V{all[1], all[3], all[5], all[7], all[9]});
  CHECK(filtered([](TicketFilter& f) { f.ip = ""; }) == V{all[0], all[1], all[2], all[3], all[4]});
  CHECK(filtered([](TicketFilter& f) { f.video = "v1"; }) == V{all[1], all[4], all[7]});
  CHECK(filtered([](TicketFilter& f) { f.app = "acme-vod"; }) == V{all[8], all[9]});
  CHECK(filtered([](TicketFilter& f) { f.uses = 6; }) == V{all[6]});
  CHECK(filtered([](TicketFilter& f) { f.active = false; }) == V{all[3]});
  CHECK(filtered([&](TicketFilter& f) { f.id = all[2]; }) == V{all[2]});
  CHECK(filtered([](TicketFilter& f) {
          f.pass = "even";
          f.app = "acme-live";
          f.ip = "1.2.3.4";
        }) == V{all[6]});
  CHECK(filtered([](TicketFilter& f) { f.key = "key4' OR '1'='1"; }).empty());
  CHECK(filtered([](TicketFilter& f) {
          f.limit = 3;
          f.offset = 2;
        }) == V{all[2], all[3], all[4]});
  CHECK(filtered([](TicketFilter& f) {
          f.limit = 3;
          f.offset = 9;
        }) == V{all[9]});
  CHECK(filtered([](TicketFilter& f) { f.limit = 0; }).empty());
  CHECK(filtered([](TicketFilter& f) { f.limit = -1; }).empty());
  CHECK(filtered([](TicketFilter& f) { f.offset = -5; }) == all);
}

TEST_CASE("attempt listing is oldest first, filtered and paged") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  // Inserted out of time order; two share a datetime and then order by id.
  struct Row {
    const char* key;
    int64_t datetime;
    const char* app;
    const char* video;
    const char* ip;
    const char* pass;
    bool success;
  };
  const std::vector<Row> rows = {
      {"a", 300, "acme-live", "v1", "1.1.1.1", "p", true},
      {"a", 100, "acme-live", "v1", "1.1.1.1", "p", false},
      {"b", 200, "acme-vod", "v2", "2.2.2.2", "q", true},
      {"a", 200, "acme-live", "v2", "2.2.2.2", "p", true},
      {"b", 50, "acme-vod", "v1", "1.1.1.1", "q", false},
      {"a", 400, "acme-vod", "v1", "1.1.1.1", "x", false},
  };
  std::vector<int64_t> id;
  for (const auto& r : rows) {
    auto a = make_attempt(158, r.key, r.datetime);
    a.app = r.app;
    a.video = r.video;
    a.ip = r.ip;
    a.pass = r.pass;
    a.success = r.success;
    a.reason = r.success ? "Success" : "Invalid IP Address";
    id.push_back(store->insert_attempt(a));
  }
  store->insert_attempt(make_attempt(159, "a", 10));

  const auto everything = store->attempts(158, {});
  CHECK(ids(everything) == std::vector<int64_t>{id[4], id[1], id[2], id[3], id[0], id[5]});
  REQUIRE(everything.size() == 6);
  const auto& first = everything[0];
  CHECK(first.cdn_id == 158);
  CHECK(first.datetime == 50);
  CHECK(first.key == "b");
  CHECK(first.pass == "q");
  CHECK(first.appinst == "_definst_");
  CHECK(first.pageurl == "https://example.org/page");
  CHECK(first.refurl == "https://example.org/");
  CHECK_FALSE(first.success);
  CHECK(first.reason == "Invalid IP Address");
  CHECK(first.server == "SER1-1");

  using V = std::vector<int64_t>;
  auto listed = [&](auto set) {
    AttemptFilter f;
    set(f);
    CHECK(store->count_attempts(158, f) == static_cast<int64_t>(store
                                                                    ->attempts(158,
                                                                               [&] {
                                                                                 auto unpaged = f;
                                                                                 unpaged.limit =
                                                                                     1000;
                                                                                 unpaged.offset = 0;
                                                                                 return unpaged;
                                                                               }())
                                                                    .size()));
    return ids(store->attempts(158, f));
  };
  CHECK(listed([](AttemptFilter& f) { f.key = "a"; }) == V{id[1], id[3], id[0], id[5]});
  CHECK(listed([](AttemptFilter& f) { f.since = 200; }) == V{id[2], id[3], id[0], id[5]});
  CHECK(listed([](AttemptFilter& f) {
          f.key = "a";
          f.since = 250;
        }) == V{id[0], id[5]});
  CHECK(listed([](AttemptFilter& f) { f.app = "acme-vod"; }) == V{id[4], id[2], id[5]});
  CHECK(listed([](AttemptFilter& f) { f.video = "v2"; }) == V{id[2], id[3]});
  CHECK(listed([](AttemptFilter& f) { f.ip = "2.2.2.2"; }) == V{id[2], id[3]});
  CHECK(listed([](AttemptFilter& f) { f.pass = "x"; }) == V{id[5]});
  CHECK(listed([](AttemptFilter& f) { f.success = true; }) == V{id[2], id[3], id[0]});
  CHECK(listed([](AttemptFilter& f) {
          f.key = "a";
          f.success = false;
        }) == V{id[1], id[5]});
  CHECK(listed([](AttemptFilter& f) { f.key = "zzz"; }).empty());
  CHECK(listed([](AttemptFilter& f) {
          f.limit = 2;
          f.offset = 1;
        }) == V{id[1], id[2]});
  CHECK(listed([](AttemptFilter& f) {
          f.key = "a";
          f.limit = 2;
          f.offset = 3;
        }) == V{id[5]});

  AttemptFilter paged;
  paged.limit = 2;
  CHECK(store->count_attempts(158, paged) == 6);  // counts ignore paging
  CHECK(store->count_attempts(158, {}) == 6);
  CHECK(store->count_attempts(159, {}) == 1);
}

TEST_CASE("stream users") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "beta")));

  auto free = make_stream_user(158, "acme-live", "open", std::nullopt);
  free.record = true;
  free.record_type = "event";
  free.segment_type = "schedule";
  free.segment_value = "*/15 * * * *";
  free.save_folder = "shows";
  free.playlist_count = 6;
  free.playlist_timeout = 900;
  free.enable_dvr = false;
  free.ga_key = "UA-1";
  REQUIRE(store->insert_stream_user(free));
  CHECK(free.id > 0);
  auto got = store->stream_user(158, free.id);
  REQUIRE(got);
  CHECK(got->app == "acme-live");
  CHECK(got->stream == "open");
  CHECK_FALSE(got->user);
  CHECK_FALSE(got->pass_hash);
  CHECK(got->record);
  CHECK(got->record_type == "event");
  CHECK(got->segment_type == "schedule");
  CHECK(got->segment_value == "*/15 * * * *");
  CHECK(got->save_folder == "shows");
  CHECK(got->playlist_count == 6);
  CHECK(got->playlist_timeout == 900);
  CHECK_FALSE(got->enable_dvr);
  CHECK(got->ga_key == "UA-1");
  CHECK(got->created == 1700000000);

  auto cam = make_stream_user(158, "acme-live", "cam", std::string("alice"));
  REQUIRE(store->insert_stream_user(cam));
  auto all_streams = make_stream_user(158, "acme-live", "*", std::string("alice"));
  REQUIRE(store->insert_stream_user(all_streams));
  auto vod = make_stream_user(158, "acme-vod", "cam", std::string("carol"));
  REQUIRE(store->insert_stream_user(vod));
  auto duplicate = make_stream_user(158, "acme-live", "cam", std::string("alice"));
  CHECK_FALSE(store->insert_stream_user(duplicate));
  auto second_free = make_stream_user(158, "acme-live", "open", std::nullopt);
  CHECK(store->insert_stream_user(second_free));  // NULL users never collide
  auto orphan = make_stream_user(999, "x", "y", std::string("z"));
  CHECK_THROWS_AS(store->insert_stream_user(orphan), StoreError);
  auto theirs = make_stream_user(159, "acme-live", "cam", std::string("mallory"));
  REQUIRE(store->insert_stream_user(theirs));

  using V = std::vector<int64_t>;
  CHECK(ids(store->stream_users(158, std::nullopt, std::nullopt)) ==
        V{free.id, cam.id, all_streams.id, vod.id, second_free.id});
  CHECK(ids(store->stream_users(158, std::string("acme-live"), std::nullopt)) ==
        V{free.id, cam.id, all_streams.id, second_free.id});
  CHECK(ids(store->stream_users(158, std::nullopt, std::string("cam"))) == V{cam.id, vod.id});
  CHECK(ids(store->stream_users(158, std::string("acme-live"), std::string("cam"))) == V{cam.id});
  CHECK(store->count_stream_users(158) == 5);

  // Exact stream rows of every account first, then the "*" rows.
  CHECK(ids(store->publish_candidates("acme-live", "cam")) == V{cam.id, theirs.id, all_streams.id});
  CHECK(ids(store->publish_candidates("acme-live", "other")) == V{all_streams.id});
  CHECK(ids(store->publish_candidates("acme-live", "open")) ==
        V{free.id, second_free.id, all_streams.id});
  CHECK(store->publish_candidates("acme-", "cam").empty());
  CHECK(store->publish_candidates("acme-live%", "cam").empty());

  auto change = *store->stream_user(158, cam.id);
  change.pass_hash = "$pbkdf2-sha256$1000$bmV3$bmV3";
  change.record = true;
  change.segment_type = "size";
  change.segment_value = "15";
  change.ga_key = "UA-2";
  change.user = std::nullopt;
  change.pass_hash = std::nullopt;
  change.created = 1;  // not writable
  CHECK(store->update_stream_user(change));
  auto changed = store->stream_user(158, cam.id);
  CHECK_FALSE(changed->user);
  CHECK_FALSE(changed->pass_hash);
  CHECK(changed->record);
  CHECK(changed->segment_value == "15");
  CHECK(changed->ga_key == "UA-2");
  CHECK(changed->created == 1700000000);

  auto clash = *store->stream_user(158, all_streams.id);
  clash.stream = "cam";
  clash.user = "carol";
  CHECK(store->update_stream_user(clash));
  auto clash2 = *store->stream_user(158, vod.id);
  clash2.app = "acme-live";  // would duplicate acme-live/cam/carol
  CHECK_FALSE(store->update_stream_user(clash2));
  CHECK(store->stream_user(158, vod.id)->app == "acme-vod");

  auto gone = change;
  gone.id = 987654;
  CHECK_FALSE(store->update_stream_user(gone));
  CHECK(store->delete_stream_user(158, cam.id));
  CHECK_FALSE(store->stream_user(158, cam.id));
  CHECK_FALSE(store->delete_stream_user(158, cam.id));
  CHECK(store->count_stream_users(158) == 4);
}

TEST_CASE("transactions commit, roll back on throw, and nest by joining") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  REQUIRE(store->insert_account(make_account(158, "acme")));

  struct Boom {};
  CHECK_THROWS_AS(store->transaction([&] {
    auto t = make_ticket(158, "rolled-back");
    REQUIRE(store->insert_ticket(t));
    store->insert_attempt(make_attempt(158, "rolled-back", 1));
    CHECK(store->ticket(158, "rolled-back"));  // visible inside
    throw Boom{};
  }),
                  Boom);
  CHECK_FALSE(store->ticket(158, "rolled-back"));
  CHECK(store->count_attempts(158, {}) == 0);

  store->transaction([&] {
    auto t = make_ticket(158, "outer");
    REQUIRE(store->insert_ticket(t));
    store->transaction([&] {
      auto inner = make_ticket(158, "inner");
      REQUIRE(store->insert_ticket(inner));
    });
  });
  CHECK(store->ticket(158, "outer"));
  CHECK(store->ticket(158, "inner"));

  // An inner failure that escapes the outer body undoes the outer work too.
  CHECK_THROWS_AS(store->transaction([&] {
    auto t = make_ticket(158, "outer2");
    REQUIRE(store->insert_ticket(t));
    store->transaction([&] {
      auto inner = make_ticket(158, "inner2");
      REQUIRE(store->insert_ticket(inner));
      throw std::runtime_error("inner failed");
    });
  }),
                  std::runtime_error);
  CHECK_FALSE(store->ticket(158, "outer2"));
  CHECK_FALSE(store->ticket(158, "inner2"));

  // A StoreError inside (foreign key) rolls back as well, and the store stays usable.
  CHECK_THROWS_AS(store->transaction([&] {
    auto ok = make_ticket(158, "before-error");
    REQUIRE(store->insert_ticket(ok));
    auto bad = make_ticket(4242, "no-account");
    store->insert_ticket(bad);
  }),
                  StoreError);
  CHECK_FALSE(store->ticket(158, "before-error"));
  store->transaction([&] { CHECK(store->insert_account(make_account(159, "beta"))); });
  CHECK(store->account(159));
}

TEST_CASE("a write transaction excludes other connections until it ends") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  auto store = open_sqlite_store(path);
  REQUIRE(store->insert_account(make_account(158, "acme")));
  RawDb raw(path);
  store->transaction([&] {
    auto t = make_ticket(158, "pending");
    REQUIRE(store->insert_ticket(t));
    CHECK(raw.one("SELECT COUNT(*) FROM tickets") == "0");  // not committed yet
  });
  CHECK(raw.one("SELECT COUNT(*) FROM tickets") == "1");
}

WriteReply make_write_reply(int64_t cdn_id, const std::string& signature, int64_t expires) {
  WriteReply r;
  r.cdn_id = cdn_id;
  r.signature = signature;
  r.expires = expires;
  r.code = 2002;
  r.message = "ScaleEngine Virtual Usher Ticket granted";
  r.payload = "{\"ticket\":{\"key\":\"k\"}}";
  return r;
}

TEST_CASE("write replies: kept per account, read back whole, survive reopening") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  {
    auto store = open_sqlite_store(path);
    store->insert_write_reply(make_write_reply(158, "c2ln/+=", 2000));
    WriteReply unheld = make_write_reply(159, "c2ln/+=", 2000);
    unheld.held = false;
    unheld.message.clear();
    unheld.payload = "{}";
    store->insert_write_reply(unheld);
    // One reply per account and signature.
    CHECK_THROWS_AS(store->insert_write_reply(make_write_reply(158, "c2ln/+=", 3000)), StoreError);
  }
  auto store = open_sqlite_store(path);
  auto r = store->write_reply(158, "c2ln/+=");
  REQUIRE(r);
  CHECK(r->cdn_id == 158);
  CHECK(r->signature == "c2ln/+=");
  CHECK(r->expires == 2000);
  CHECK(r->held);
  CHECK(r->code == 2002);
  CHECK(r->message == "ScaleEngine Virtual Usher Ticket granted");
  CHECK(r->payload == "{\"ticket\":{\"key\":\"k\"}}");
  auto other = store->write_reply(159, "c2ln/+=");
  REQUIRE(other);
  CHECK_FALSE(other->held);
  CHECK_FALSE(store->write_reply(160, "c2ln/+="));
  CHECK_FALSE(store->write_reply(158, "C2LN/+="));  // signatures are compared exactly

  // Inside a transaction that rolls back, nothing is kept.
  CHECK_THROWS_AS(store->transaction([&] {
    store->insert_write_reply(make_write_reply(158, "rolled back", 2000));
    throw std::runtime_error("the command failed");
  }),
                  std::runtime_error);
  CHECK_FALSE(store->write_reply(158, "rolled back"));
}

TEST_CASE("expired write replies are deleted, at most a given number per call") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  auto store = open_sqlite_store(path);
  for (int i = 0; i < 10; ++i) {
    store->insert_write_reply(make_write_reply(158, "old" + std::to_string(i), 1000 + i));
  }
  store->insert_write_reply(make_write_reply(158, "edge", 1100));
  store->insert_write_reply(make_write_reply(159, "fresh", 5000));

  CHECK(store->delete_expired_write_replies(1100, 4) == 4);
  CHECK_FALSE(store->write_reply(158, "old0"));  // oldest first
  CHECK_FALSE(store->write_reply(158, "old3"));
  CHECK(store->write_reply(158, "old4"));
  CHECK(store->delete_expired_write_replies(1100, 100) == 6);
  // Still fresh at its own second, and a later one untouched.
  CHECK(store->write_reply(158, "edge"));
  CHECK(store->write_reply(159, "fresh"));
  CHECK(store->delete_expired_write_replies(1100, 100) == 0);
  CHECK(store->delete_expired_write_replies(1101, -1) == 0);  // a negative limit deletes nothing
  CHECK(store->delete_expired_write_replies(1101, 100) == 1);
  RawDb raw(path);
  CHECK(raw.one("SELECT signature FROM write_replies") == "fresh");
  // The deletion walks the expiry index, not the whole table.
  CHECK(raw.one("EXPLAIN QUERY PLAN SELECT rowid FROM write_replies WHERE expires < 1 "
                "ORDER BY expires LIMIT 1")
            .find("write_replies_by_expiry") != std::string::npos);
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

TEST_CASE("counting with only since/success filters adds up the hourly totals exactly") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  // Attempts spread over ~30 hours, both outcomes, two accounts; a property
  // check against counting the listed rows.
  std::mt19937 rng(7);
  for (int i = 0; i < 600; ++i) {
    Attempt a = make_attempt(i % 5 == 0 ? 159 : 158, "k", 1'750'000'000 + rng() % (30 * 3600));
    a.success = rng() % 3 == 0;
    store->insert_attempt(a);
  }
  auto listed = [&](const AttemptFilter& f) {
    AttemptFilter all = f;
    all.limit = 100000;
    return static_cast<int64_t>(store->attempts(158, all).size());
  };
  for (int i = 0; i < 200; ++i) {
    AttemptFilter f;
    if (rng() % 4) f.since = 1'750'000'000 - 100 + static_cast<int64_t>(rng() % (31 * 3600));
    if (rng() % 2) f.success = rng() % 2 == 0;
    CHECK(store->count_attempts(158, f) == listed(f));
  }
  AttemptFilter none;
  CHECK(store->count_attempts(158, none) == listed(none));
  CHECK(store->count_attempts(159, none) + store->count_attempts(158, none) == 600);
}

TEST_CASE("attempts_after follows every account's log by id, unmatched keys too") {
  TempDir dir;
  auto store = open_sqlite_store(dir.file("sevu.db"));
  std::vector<int64_t> id;
  for (const auto& [cdn, key] : std::vector<std::pair<int64_t, std::string>>{
           {158, "a"}, {0, "typo"}, {2000, "b"}, {158, "a"}, {0, "typo2"}})
    id.push_back(store->insert_attempt(make_attempt(cdn, key, 1000 - id.size())));
  CHECK(ids(store->attempts_after(0, std::nullopt, std::nullopt, 100)) == id);
  CHECK(ids(store->attempts_after(id[1], std::nullopt, std::nullopt, 100)) ==
        std::vector<int64_t>{id[2], id[3], id[4]});
  CHECK(ids(store->attempts_after(0, std::nullopt, std::nullopt, 2)) ==
        std::vector<int64_t>{id[0], id[1]});
  CHECK(ids(store->attempts_after(0, int64_t{0}, std::nullopt, 100)) ==
        std::vector<int64_t>{id[1], id[4]});
  CHECK(ids(store->attempts_after(0, int64_t{158}, std::string("a"), 100)) ==
        std::vector<int64_t>{id[0], id[3]});
  CHECK(store->attempts_after(0, int64_t{158}, std::string("b"), 100).empty());
  CHECK(store->attempts_after(id[4], std::nullopt, std::nullopt, 100).empty());
}

TEST_CASE("mark_seeded is true once per name, also across connections") {
  TempDir dir;
  const auto path = dir.file("sevu.db");
  auto store = open_sqlite_store(path);
  CHECK(store->mark_seeded("demo-example-ticket", 1700000000));
  CHECK(!store->mark_seeded("demo-example-ticket", 1700000001));
  CHECK(store->mark_seeded("another", 1700000000));
  CHECK(!open_sqlite_store(path)->mark_seeded("demo-example-ticket", 1700000002));
  // Rolled back with its transaction, so a seed that failed runs again.
  CHECK_THROWS(store->transaction([&] {
    CHECK(store->mark_seeded("third", 1));
    throw std::runtime_error("seed failed");
  }));
  CHECK(store->mark_seeded("third", 1));
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

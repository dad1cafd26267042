// The store contract: cases that go through the Store interface only, run on
// both backends (store_sqlite_test.cpp, store_postgres_test.cpp). The including
// file first defines CONTRACT, the prefix of the case names ("sqlite: "), and
//   struct ContractBackend {
//     ContractBackend();                     // a fresh, empty database
//     std::unique_ptr<Store> open();         // one more connection to it
//     static constexpr bool kHoldsAnyBytes;  // text may hold NUL / invalid UTF-8
//   };
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/migrations.hpp"
#include "store/store.hpp"

namespace store_contract {

using namespace sevu;

inline Account make_account(int64_t cdn_id, const std::string& username) {
  Account a;
  a.cdn_id = cdn_id;
  a.username = username;
  a.api_key = "APIKEY" + std::to_string(cdn_id);
  a.secret = std::string(64, 'a');
  a.created = 1700000000;
  return a;
}

inline Ticket make_ticket(int64_t cdn_id, const std::string& key) {
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

inline Attempt make_attempt(int64_t cdn_id, const std::string& key, int64_t datetime) {
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

inline StreamUser make_stream_user(int64_t cdn_id, const std::string& app,
                                   const std::string& stream,
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

// The migrations of `all` older than `version`: a database as an earlier
// sevu-server left it, for the tests of a migration.
inline std::vector<Migration> migrations_before(const std::vector<Migration>& all,
                                                int64_t version) {
  std::vector<Migration> before;
  for (const auto& m : all)
    if (m.version < version) before.push_back(m);
  return before;
}

// The timestamp the requests of make_write_reply carried.
constexpr int64_t kSignedAt = 900;

inline WriteReply make_write_reply(int64_t cdn_id, const std::string& signature,
                                   int64_t expires) {
  WriteReply r;
  r.cdn_id = cdn_id;
  r.signature = signature;
  r.signed_at = kSignedAt;
  r.expires = expires;
  r.code = 2002;
  r.message = "ScaleEngine Virtual Usher Ticket granted";
  r.payload = "{\"ticket\":{\"key\":\"k\"}}";
  return r;
}

template <typename Row>
std::vector<int64_t> ids(const std::vector<Row>& rows) {
  std::vector<int64_t> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "<no StoreError>";
}

}  // namespace store_contract

using namespace store_contract;

TEST_CASE(CONTRACT "accounts") {
  ContractBackend backend;
  auto store = backend.open();

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

TEST_CASE(CONTRACT "tickets") {
  ContractBackend backend;
  auto store = backend.open();
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
  // A ticket made again under a deleted one's key is a new row: a write from a
  // read of the old one does not reach it.
  auto again = make_ticket(158, t.key);
  REQUIRE(store->insert_ticket(again));
  CHECK_FALSE(store->update_ticket(*got));
  CHECK(store->ticket(158, t.key)->uses == again.uses);
  CHECK(store->delete_ticket(158, t.key));

  auto next = make_ticket(158, "next");
  REQUIRE(store->insert_ticket(next));
  CHECK(next.id > t.id);  // ids of deleted tickets are not reused
}

TEST_CASE(CONTRACT "unusual text survives the round trip") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  // A NUL byte and invalid UTF-8: SQLite keeps any bytes; PostgreSQL text
  // cannot hold them, so there they are refused on write and match nothing.
  const std::string odd_bytes = std::string("k\0ey\xff'); DROP TABLE tickets;--", 30);
  const std::string quoted = "k'ey'); DROP TABLE tickets;--";
  auto t = make_ticket(158, ContractBackend::kHoldsAnyBytes ? odd_bytes : quoted);
  t.video = "vidéo/✓";
  t.pass = std::string(100000, 'p');
  REQUIRE(store->insert_ticket(t));
  auto got = store->ticket_by_key(t.key);
  REQUIRE(got);
  CHECK(got->key == t.key);
  if (!ContractBackend::kHoldsAnyBytes) {
    auto refused = make_ticket(158, odd_bytes);
    CHECK_THROWS_AS(store->insert_ticket(refused), StoreError);
    CHECK_FALSE(store->ticket_by_key(odd_bytes));
    CHECK_FALSE(store->ticket(158, "\xc3("));
    TicketFilter f;
    f.key = odd_bytes;
    CHECK(store->tickets(158, f).empty());
    AttemptFilter af;
    af.key = odd_bytes;
    CHECK(store->count_attempts(158, af) == 0);
    CHECK_FALSE(store->write_reply(158, kSignedAt, odd_bytes));
    CHECK_FALSE(store->update_ticket(refused));
    CHECK_FALSE(store->delete_ticket(158, odd_bytes));
    // ... and a transaction around such a lookup goes on.
    store->transaction([&] { CHECK_FALSE(store->ticket_by_key(odd_bytes)); });
  }
  CHECK(got->video == "vidéo/✓");
  CHECK(got->pass == t.pass);
  CHECK(store->tickets(158, {}).size() == 1);
}

TEST_CASE(CONTRACT "accounts cannot reach each other's rows") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "ticket listing filters and pages") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "attempt listing is oldest first, filtered and paged") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "stream users") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "transactions commit, roll back on throw, and nest by joining") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "read_together: reads answered as read, a failure passes through, the store stays usable") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto t = make_ticket(158, "k");
  REQUIRE(store->insert_ticket(t));
  std::optional<Account> account;
  std::optional<Ticket> ticket;
  store->read_together([&] {
    account = store->account(158);
    ticket = store->ticket(158, "k");
  });
  CHECK(account->username == "acme");
  CHECK(ticket->key == "k");
  struct Boom {};
  CHECK_THROWS_AS(store->read_together([&] {
    store->account(158);
    throw Boom{};
  }),
                  Boom);
  // Afterwards (and inside a transaction, which it joins) the store reads and writes as before.
  store->transaction([&] {
    store->read_together([&] { CHECK(store->account(158)); });
    CHECK(store->insert_account(make_account(159, "beta")));
  });
  CHECK(store->account(159));
}

TEST_CASE(CONTRACT "writes stay unseen by other connections until their transaction commits") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto other = backend.open();
  store->transaction([&] {
    auto t = make_ticket(158, "pending");
    REQUIRE(store->insert_ticket(t));
    CHECK(other->tickets(158, {}).empty());  // not committed yet
  });
  CHECK(other->tickets(158, {}).size() == 1);
}

TEST_CASE(CONTRACT "write replies: kept per account, read back whole, survive reopening") {
  ContractBackend backend;
  {
    auto store = backend.open();
    store->insert_write_reply(make_write_reply(158, "c2ln/+=", 2000));
    WriteReply unheld = make_write_reply(159, "c2ln/+=", 2000);
    unheld.held = false;
    unheld.message.clear();
    unheld.payload = "{}";
    store->insert_write_reply(unheld);
    // One reply per account and signature.
    CHECK_THROWS_AS(store->insert_write_reply(make_write_reply(158, "c2ln/+=", 3000)), StoreError);
  }
  auto store = backend.open();
  auto r = store->write_reply(158, kSignedAt, "c2ln/+=");
  REQUIRE(r);
  CHECK(r->cdn_id == 158);
  CHECK(r->signature == "c2ln/+=");
  CHECK(r->signed_at == kSignedAt);
  CHECK(r->expires == 2000);
  CHECK(r->held);
  CHECK(r->code == 2002);
  CHECK(r->message == "ScaleEngine Virtual Usher Ticket granted");
  CHECK(r->payload == "{\"ticket\":{\"key\":\"k\"}}");
  auto other = store->write_reply(159, kSignedAt, "c2ln/+=");
  REQUIRE(other);
  CHECK_FALSE(other->held);
  CHECK_FALSE(store->write_reply(160, kSignedAt, "c2ln/+="));
  CHECK_FALSE(store->write_reply(158, kSignedAt, "C2LN/+="));  // signatures are compared exactly
  // A reply is found by the request's own timestamp too: a repeat carries it
  // unchanged, and another timestamp is another request.
  CHECK_FALSE(store->write_reply(158, kSignedAt + 1, "c2ln/+="));
  WriteReply later = make_write_reply(158, "c2ln/+=", 2001);
  later.signed_at = kSignedAt + 1;
  later.code = 2003;
  store->insert_write_reply(later);
  REQUIRE(store->write_reply(158, kSignedAt + 1, "c2ln/+="));
  CHECK(store->write_reply(158, kSignedAt + 1, "c2ln/+=")->code == 2003);
  CHECK(store->write_reply(158, kSignedAt, "c2ln/+=")->code == 2002);

  // Inside a transaction that rolls back, nothing is kept.
  CHECK_THROWS_AS(store->transaction([&] {
    store->insert_write_reply(make_write_reply(158, "rolled back", 2000));
    throw std::runtime_error("the command failed");
  }),
                  std::runtime_error);
  CHECK_FALSE(store->write_reply(158, kSignedAt, "rolled back"));
}

// A reply to a request signed at `signed_at`, fresh for the 300 s after it.
inline WriteReply write_reply_signed_at(int64_t cdn_id, const std::string& signature,
                                        int64_t signed_at) {
  WriteReply r = make_write_reply(cdn_id, signature, signed_at + 300);
  r.signed_at = signed_at;
  return r;
}

TEST_CASE(CONTRACT
          "replies signed before a moment are deleted, oldest first, a given number per call") {
  ContractBackend backend;
  auto store = backend.open();
  for (int i = 0; i < 10; ++i) {
    store->insert_write_reply(write_reply_signed_at(158, "old" + std::to_string(i), 800 + i));
  }
  store->insert_write_reply(write_reply_signed_at(158, "edge", 850));
  store->insert_write_reply(write_reply_signed_at(159, "fresh", 900));

  CHECK(store->delete_write_replies_signed_before(850, 4) == 4);
  CHECK_FALSE(store->write_reply(158, 800, "old0"));  // oldest first
  CHECK_FALSE(store->write_reply(158, 803, "old3"));
  CHECK(store->write_reply(158, 804, "old4"));
  CHECK(store->delete_write_replies_signed_before(850, 100) == 6);
  // A request signed at the moment itself is kept, and a later one untouched.
  CHECK(store->write_reply(158, 850, "edge"));
  CHECK(store->write_reply(159, 900, "fresh"));
  CHECK(store->delete_write_replies_signed_before(850, 100) == 0);
  CHECK(store->delete_write_replies_signed_before(851, -1) ==
        0);  // a negative limit deletes nothing
  CHECK(store->delete_write_replies_signed_before(851, 100) == 1);
  CHECK_FALSE(store->write_reply(158, 850, "edge"));
  CHECK(store->write_reply(159, 900, "fresh"));
}

// The housekeeping probes are not repeated for a moment at which they found
// nothing (store/forget_probe.hpp): rows are only ever written for that moment or later,
// so a row written behind such a probe, "in the past", waits for the next
// moment. A probe that could delete nothing (limit 0) proves nothing.
TEST_CASE(CONTRACT "a housekeeping probe that found nothing is not run again for the same moment") {
  ContractBackend backend;
  auto store = backend.open();
  store->insert_write_reply(write_reply_signed_at(158, "fresh", 900));
  CHECK(store->delete_write_replies_signed_before(850, 0) == 0);
  store->insert_write_reply(write_reply_signed_at(158, "old", 800));
  CHECK(store->delete_write_replies_signed_before(850, 100) == 1);  // limit 0 remembered nothing
  CHECK(store->delete_write_replies_signed_before(850, 100) == 0);
  store->insert_write_reply(write_reply_signed_at(158, "behind", 800));
  CHECK(store->delete_write_replies_signed_before(850, 100) == 0);  // skipped
  CHECK(store->write_reply(158, 800, "behind"));
  CHECK(store->delete_write_replies_signed_before(851, 100) == 1);  // the next moment
  CHECK_FALSE(store->write_reply(158, 800, "behind"));
  CHECK(store->write_reply(158, 900, "fresh"));

  ViewingSession s;
  s.id = "idle";
  s.cdn_id = 158;
  s.last_seen = 500;
  s.lapse = 60;
  CHECK(store->delete_idle_viewing_sessions(600, 8) == 0);
  store->save_viewing_session(s);
  CHECK(store->delete_idle_viewing_sessions(600, 8) == 0);  // skipped
  CHECK(store->viewing_session("idle"));
  CHECK(store->delete_idle_viewing_sessions(601, 8) == 1);
  CHECK_FALSE(store->viewing_session("idle"));
}

TEST_CASE(CONTRACT "viewing sessions: saved, touched, ended, listed live, idle ones go") {
  ContractBackend backend;
  auto store = backend.open();
  auto other = backend.open();  // another instance
  auto session = [](const std::string& id, int64_t cdn_id, const std::string& key, int64_t started,
                    int64_t lapse) {
    ViewingSession s;
    s.id = id;
    s.cdn_id = cdn_id;
    s.key = key;
    s.ip = "1.2.3.4";
    s.app = "demo";
    s.video = "v";
    s.media_server = "nginx-rtmp";
    s.protocol = "play";
    s.client_ref = "7";
    s.started = s.last_seen = started;
    s.lapse = lapse;
    return s;
  };
  CHECK_FALSE(store->viewing_session("a"));
  store->save_viewing_session(session("a", 158, "k1", 1000, 60));
  store->touch_viewing_session("a", 1030);
  store->touch_viewing_session("a", 1010);  // an older touch never moves it back
  auto a = other->viewing_session("a");
  REQUIRE(a);
  CHECK((a->last_seen == 1030 && a->started == 1000 && a->key == "k1" && a->client_ref == "7" &&
         a->media_server == "nginx-rtmp" && a->lapse == 60 && a->ended == 0));
  store->save_viewing_session(session("b", 158, "k1", 1001, 60));
  store->save_viewing_session(session("c", 158, "k1", 1002, 10));   // lapses at 1012
  store->save_viewing_session(session("x", 159, "k1", 1000, 60));   // another account's
  auto ids = [](const std::vector<ViewingSession>& v) {
    std::string out;
    for (const auto& s : v) out += s.id;
    return out;
  };
  CHECK(ids(other->live_viewing_sessions(158, "k1", 1012)) == "abc");  // oldest first
  CHECK(ids(other->live_viewing_sessions(158, "k1", 1013)) == "ab");   // c lapsed
  CHECK(other->end_viewing_session("b", 1020, "ended by the API"));
  CHECK_FALSE(store->end_viewing_session("b", 1021, "again"));  // already ended
  CHECK_FALSE(store->end_viewing_session("nope", 1021, "unknown"));
  CHECK(ids(store->live_viewing_sessions(158, "k1", 1020)) == "a");
  auto b = store->viewing_session("b");
  REQUIRE(b);
  CHECK((b->ended == 1020 && b->end_reason == "ended by the API"));
  store->touch_viewing_session("b", 1025);  // an ended session is not kept alive
  CHECK(store->viewing_session("b")->last_seen == 1001);
  store->save_viewing_session(session("b", 158, "k1", 1030, 60));  // opened anew
  CHECK(store->viewing_session("b")->ended == 0);
  for (int i = 0; i < 5; ++i)
    other->save_viewing_session(session("idle" + std::to_string(i), 159, "k2", 500 + i, 60));
  CHECK(store->delete_idle_viewing_sessions(564, 3) == 3);  // lapsed (500+60 ..), oldest first
  CHECK_FALSE(store->viewing_session("idle2"));
  CHECK(store->viewing_session("idle3"));
  CHECK(store->delete_idle_viewing_sessions(564, 3) == 1);  // idle4 lapses at 564: not before
  CHECK(store->viewing_session("idle4"));
  CHECK(store->delete_idle_viewing_sessions(1000, 100) == 1);
  other->delete_viewing_session("b");
  CHECK_FALSE(store->viewing_session("b"));
  CHECK(store->viewing_session("a"));  // not idle: untouched
  store->reset_data();
  CHECK_FALSE(store->viewing_session("a"));
}

TEST_CASE(CONTRACT "sessions kept in attempt rows: found, listed with the rows, ended once") {
  ContractBackend backend;
  auto store = backend.open();
  auto other = backend.open();  // another instance
  auto keeping = [](int64_t cdn_id, const std::string& key, int64_t at, int64_t lapse) {
    Attempt a = make_attempt(cdn_id, key, at);
    a.session_lapse = lapse;
    a.media_server = "check";
    a.protocol = "play";
    return a;
  };
  const int64_t first = store->insert_attempt(keeping(158, "k1", 1000, 60));
  store->insert_attempt(make_attempt(158, "k1", 1000));  // opened no session
  Attempt refused = keeping(158, "k1", 1000, 60);
  refused.success = false;  // a refusal opens none, whatever it carries
  store->insert_attempt(refused);
  const int64_t second = store->insert_attempt(keeping(158, "k1", 1001, 10));  // lapses at 1011
  store->insert_attempt(keeping(159, "k1", 1000, 60));  // another account's
  ViewingSession row;  // a session with a row of its own, opened in the same second
  row.id = "digest";
  row.cdn_id = 158;
  row.key = "k1";
  row.started = row.last_seen = 1000;
  row.lapse = 60;
  row.opened = 5;
  store->save_viewing_session(row);

  const std::string a = attempt_session_id(first), b = attempt_session_id(second);
  auto s = other->viewing_session(a);
  REQUIRE(s);
  CHECK((s->id == a && s->cdn_id == 158 && s->key == "k1" && s->ip == "10.0.0.1" &&
         s->app == "acme-live" && s->video == "vid1" && s->media_server == "check" &&
         s->protocol == "play" && s->started == 1000 && s->last_seen == 1000 && s->lapse == 60 &&
         s->ended == 0));
  CHECK_FALSE(store->viewing_session(attempt_session_id(first + 1)));  // opened none
  CHECK_FALSE(store->viewing_session(attempt_session_id(first + 2)));  // refused
  auto ids = [](const std::vector<ViewingSession>& v) {
    std::string out;
    for (const auto& x : v) out += x.id + ",";
    return out;
  };
  CHECK(ids(other->live_viewing_sessions(158, "k1", 1011)) == a + ",digest," + b + ",");
  CHECK(ids(other->live_viewing_sessions(158, "k1", 1012)) == a + ",digest,");  // b lapsed

  CHECK(other->end_viewing_session(a, 1020, "ended by the API"));
  CHECK_FALSE(store->end_viewing_session(a, 1021, "again"));  // already ended
  CHECK_FALSE(store->end_viewing_session(attempt_session_id(first + 1), 1021, "opened none"));
  CHECK(ids(store->live_viewing_sessions(158, "k1", 1020)) == "digest,");
  auto ended = store->viewing_session(a);
  REQUIRE(ended);
  CHECK((ended->ended == 1020 && ended->end_reason == "ended by the API" && ended->key == "k1"));
  store->touch_viewing_session(a, 1025);  // nothing keeps an ended session alive
  CHECK(store->viewing_session(a)->ended == 1020);
  CHECK(store->end_viewing_session(b, 1030, "lapsed, still ends"));  // as a row's would
}

TEST_CASE(CONTRACT "a viewer's session without a name: the newest of its own, ended or not") {
  ContractBackend backend;
  auto store = backend.open();
  auto other = backend.open();  // another instance
  auto keeping = [](const std::string& ip, int64_t at, int64_t lapse) {
    Attempt a = make_attempt(158, "k1", at);
    a.ip = ip;
    a.session_lapse = lapse;
    a.media_server = "check";
    a.protocol = "play";
    return a;
  };
  const int64_t older = store->insert_attempt(keeping("10.0.0.1", 1000, 60));
  const int64_t newer = store->insert_attempt(keeping("10.0.0.1", 1001, 60));
  const int64_t theirs = store->insert_attempt(keeping("10.0.0.2", 1002, 60));  // another viewer
  store->insert_attempt(keeping("10.0.0.1", 1003, 0));  // a start that opened none
  Attempt refused = keeping("10.0.0.1", 1004, 60);
  refused.success = false;  // a refusal opens none, whatever it carries
  store->insert_attempt(refused);
  Attempt elsewhere = keeping("10.0.0.1", 1004, 60);
  elsewhere.media_server = "nginx-rtmp";  // the same viewer through another media server
  store->insert_attempt(elsewhere);
  Attempt foreign = keeping("10.0.0.1", 1004, 60);
  foreign.cdn_id = 159;  // another account's
  store->insert_attempt(foreign);

  Attempt viewer = keeping("10.0.0.1", 1010, 0);  // as its re-check would log it
  auto s = other->unnamed_session_of(viewer, 1010);
  REQUIRE(s);
  CHECK((s->id == attempt_session_id(newer) && s->ip == "10.0.0.1" && s->ended == 0 &&
         s->started == 1001 && s->media_server == "check"));
  Attempt wrong_pass = viewer;
  wrong_pass.pass = "other";
  CHECK_FALSE(store->unnamed_session_of(wrong_pass, 1010));
  Attempt other_video = viewer;
  other_video.video = "vid2";
  CHECK_FALSE(store->unnamed_session_of(other_video, 1010));

  REQUIRE(other->end_viewing_session(attempt_session_id(newer), 1020, "ended by the API"));
  s = store->unnamed_session_of(viewer, 1030);  // ended: still found, and said so
  REQUIRE(s);
  CHECK((s->id == attempt_session_id(newer) && s->ended == 1020));
  CHECK(store->unnamed_session_of(viewer, 1061));  // the newer lapses at 1061, then none
  CHECK_FALSE(store->unnamed_session_of(viewer, 1062));
  CHECK(attempt_session_id(older) != attempt_session_id(newer));
  Attempt them = viewer;
  them.ip = "10.0.0.2";
  s = store->unnamed_session_of(them, 1030);
  REQUIRE(s);
  CHECK((s->id == attempt_session_id(theirs) && s->ended == 0));

  // Touched (its viewer's re-check), it gets a row seen then, which wins:
  // listed with that last_seen, found past its start's lapse, ended once.
  const std::string id = attempt_session_id(theirs);
  store->touch_viewing_session(id, 1050);
  auto live = other->live_viewing_sessions(158, "k1", 1100);
  REQUIRE(live.size() == 1);
  CHECK((live[0].id == id && live[0].started == 1002 && live[0].last_seen == 1050 &&
         live[0].lapse == 60 && live[0].media_server == "check"));
  s = other->unnamed_session_of(them, 1100);  // its start's lapse ran out at 1062
  REQUIRE(s);
  CHECK((s->id == id && s->last_seen == 1050 && s->ended == 0));
  Attempt them_otherwise = them;
  them_otherwise.pass = "other";  // rows hold no pass: their start's row says it
  CHECK_FALSE(other->unnamed_session_of(them_otherwise, 1100));
  other->touch_viewing_session(id, 1040);  // an earlier time does not win
  CHECK(store->viewing_session(id)->last_seen == 1050);
  CHECK_FALSE(store->unnamed_session_of(them, 1111));  // lapsed at 1110
  CHECK(store->end_viewing_session(id, 1105, "its viewer left"));
  CHECK(store->unnamed_session_of(them, 1106)->ended == 1105);
  store->touch_viewing_session(id, 1107);  // nothing keeps an ended session alive
  CHECK(store->viewing_session(id)->ended == 1105);
  store->touch_viewing_session(attempt_session_id(theirs + 1), 1107);  // opened none: no row
  CHECK_FALSE(store->viewing_session(attempt_session_id(theirs + 1)));
}

TEST_CASE(CONTRACT "a ticket's limits are stored and updated") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  Ticket t = make_ticket(158, "limits.0123456789abcd.12345678");
  REQUIRE(store->insert_ticket(t));
  auto got = store->ticket(158, t.key);
  REQUIRE(got);
  CHECK((got->max_viewers == 0 && got->when_full == "deny"));
  got->max_viewers = 2;
  got->when_full = "end_oldest";
  REQUIRE(store->update_ticket(*got));
  auto again = backend.open()->ticket_by_key(t.key);
  REQUIRE(again);
  CHECK((again->max_viewers == 2 && again->when_full == "end_oldest"));
}

TEST_CASE(CONTRACT "counting with only since/success filters adds up the hourly totals exactly") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "attempts_after follows every account's log by id, unmatched keys too") {
  ContractBackend backend;
  auto store = backend.open();
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

TEST_CASE(CONTRACT "mark_seeded is true once per name, also across connections") {
  ContractBackend backend;
  auto store = backend.open();
  CHECK(store->mark_seeded("demo-example-ticket", 1700000000));
  CHECK(!store->mark_seeded("demo-example-ticket", 1700000001));
  CHECK(store->mark_seeded("another", 1700000000));
  CHECK(!backend.open()->mark_seeded("demo-example-ticket", 1700000002));
  // Rolled back with its transaction, so a seed that failed runs again.
  CHECK_THROWS(store->transaction([&] {
    CHECK(store->mark_seeded("third", 1));
    throw std::runtime_error("seed failed");
  }));
  CHECK(store->mark_seeded("third", 1));
}

TEST_CASE(CONTRACT "a savepoint undoes only its own part") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  store->transaction([&] {
    auto kept = make_ticket(158, "kept");
    REQUIRE(store->insert_ticket(kept));
    CHECK_THROWS_AS(store->savepoint([&] {
      auto gone = make_ticket(158, "gone");
      REQUIRE(store->insert_ticket(gone));
      auto bad = make_ticket(4242, "no-account");  // a failed statement, too
      store->insert_ticket(bad);
    }),
                    StoreError);
    store->savepoint([&] { store->insert_attempt(make_attempt(158, "kept", 1)); });
  });
  CHECK(store->ticket(158, "kept"));
  CHECK_FALSE(store->ticket(158, "gone"));
  CHECK(store->count_attempts(158, {}) == 1);
  // Outside a transaction a savepoint is one.
  CHECK_THROWS_AS(store->savepoint([&] {
    store->insert_attempt(make_attempt(158, "alone", 2));
    throw std::runtime_error("undo");
  }),
                  std::runtime_error);
  CHECK(store->count_attempts(158, {}) == 1);
}

// Rows given to hold_attempt may be written later in their transaction, many to
// a statement (PostgreSQL: at most 128, the rest in halving sizes), yet read
// as rows written at once: inside the transaction, whole, in order, and gone
// with a rollback or with the savepoint they were held in.
TEST_CASE(CONTRACT "held attempt rows read as written at once, and go with what undoes them") {
  ContractBackend backend;
  auto store = backend.open();
  auto row = [](int64_t i) {
    Attempt a = make_attempt(158, "held", 1000 + i);
    a.success = i % 3 == 0;
    a.reason = a.success ? "Success" : "Invalid Auth Token";
    a.pageurl = "https://example.org/?q=\"" + std::to_string(i) + "\\{,}'$1";
    a.server = "сервер-" + std::to_string(i);
    return a;
  };
  constexpr int kRows = 203;  // 128 + 64 + 8 + 2 + 1
  store->transaction([&] {
    for (int i = 0; i < kRows; ++i) store->hold_attempt(row(i));
    CHECK(store->count_attempts(158, {}) == kRows);  // a read sees every one
  });
  AttemptFilter granted;  // counted from the hourly totals, which follow the rows
  granted.success = true;
  CHECK(store->count_attempts(158, granted) == (kRows + 2) / 3);
  AttemptFilter all;
  all.limit = 1000;
  const auto rows = store->attempts(158, all);
  REQUIRE(rows.size() == kRows);
  for (int i = 0; i < kRows; ++i) {
    const Attempt want = row(i), &got = rows[static_cast<std::size_t>(i)];
    CHECK(got.datetime == want.datetime);
    CHECK(got.success == want.success);
    CHECK(got.reason == want.reason);
    CHECK(got.pageurl == want.pageurl);
    CHECK(got.server == want.server);
    CHECK(got.refurl == want.refurl);
    if (i > 0) CHECK(got.id > rows[static_cast<std::size_t>(i) - 1].id);
  }

  struct Boom {};
  CHECK_THROWS_AS(store->transaction([&] {
    for (int i = 0; i < 5; ++i) store->hold_attempt(make_attempt(158, "rolled-back", i));
    throw Boom{};
  }),
                  Boom);
  CHECK(store->count_attempts(158, {}) == kRows);

  store->transaction([&] {
    store->hold_attempt(make_attempt(158, "before", 1));  // held before the part: kept
    CHECK_THROWS_AS(store->savepoint([&] {
      store->hold_attempt(make_attempt(158, "undone", 2));
      throw std::runtime_error("undo");
    }),
                    std::runtime_error);
    store->savepoint([&] { store->hold_attempt(make_attempt(158, "part", 3)); });
    store->hold_attempt(make_attempt(158, "after", 4));
  });
  AttemptFilter later;
  later.since = 1;
  later.limit = 10;
  std::vector<std::string> keys;
  for (const auto& a : store->attempts(158, later))
    if (a.datetime < 1000) keys.push_back(a.key);
  CHECK(keys == std::vector<std::string>{"before", "part", "after"});

  store->hold_attempt(make_attempt(158, "alone", 5));  // outside a transaction: written at once
  auto other = backend.open();
  AttemptFilter alone;
  alone.key = "alone";
  CHECK(other->count_attempts(158, alone) == 1);
}

// SQLite keeps what a write transaction read of accounts until it ends
// (store/account_memo.hpp): a read inside one must still see the
// transaction's own account writes, not see those a rolled-back savepoint
// undid, and the next transaction must see what others committed meanwhile.
TEST_CASE(CONTRACT "account reads inside a transaction follow its own writes and savepoints") {
  ContractBackend backend;
  auto store = backend.open();
  auto other = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  store->transaction([&] {
    REQUIRE(store->account(158));
    CHECK(store->account(158)->active);
    CHECK(store->account_by_username("acme")->cdn_id == 158);
    CHECK_FALSE(store->account(159));
    CHECK_FALSE(store->account_by_username("beta"));
    REQUIRE(store->insert_account(make_account(159, "beta")));
    CHECK(store->account(159));
    CHECK(store->account_by_username("beta"));
    REQUIRE(store->set_account_active(158, false));
    CHECK_FALSE(store->account(158)->active);
    CHECK_FALSE(store->account_by_username("acme")->active);
    CHECK_THROWS_AS(store->savepoint([&] {
      REQUIRE(store->set_account_active(158, true));
      REQUIRE(store->set_account_secret(158, std::string(64, 'c')));
      CHECK(store->account(158)->active);
      CHECK(store->account_by_username("acme")->secret == std::string(64, 'c'));
      throw std::runtime_error("undo");
    }),
                    std::runtime_error);
    CHECK_FALSE(store->account(158)->active);
    CHECK(store->account_by_username("acme")->secret == std::string(64, 'a'));
  });
  // Another connection's commit between two transactions shows in the second.
  CHECK_FALSE(store->account(158)->active);
  REQUIRE(other->set_account_active(158, true));
  store->transaction([&] {
    CHECK(store->account(158)->active);
    CHECK(store->account_by_username("acme")->active);
  });
  REQUIRE(other->set_account_secret(158, std::string(64, 'd')));
  store->transaction([&] { CHECK(store->account(158)->secret == std::string(64, 'd')); });
}

// count_attempts with no filter but since/success reads the hourly totals
// (schema/0004_attempt_counts.sql), which SQLite adds to once per hour at
// COMMIT (store/attempt_tally.hpp) and PostgreSQL row by row: either way they
// must follow the rows through transactions, savepoints and rollbacks.
TEST_CASE(CONTRACT "the hourly attempt totals follow the rows through a transaction") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "other")));
  const int64_t hour = 3600 * 400000;  // whole hours, so since = hour reads totals alone
  auto attempt = [&](int64_t cdn_id, int64_t at, bool success) {
    Attempt a = make_attempt(cdn_id, "k", at);
    a.success = success;
    store->insert_attempt(a);
  };
  AttemptFilter all, failed, from_next_hour;
  failed.success = false;
  from_next_hour.since = hour + 3600;
  store->transaction([&] {
    attempt(158, hour + 5, true);
    attempt(158, hour + 3600 + 5, false);  // the next hour
    attempt(159, hour + 6, true);
    // Read inside the transaction, before anything was committed.
    CHECK(store->count_attempts(158, all) == 2);
    CHECK(store->count_attempts(158, failed) == 1);
    CHECK(store->count_attempts(158, from_next_hour) == 1);
    CHECK_THROWS_AS(store->savepoint([&] {
      attempt(158, hour + 7, false);
      CHECK(store->count_attempts(158, failed) == 2);
      throw std::runtime_error("undo this part");
    }),
                    std::runtime_error);
    store->savepoint([&] { attempt(158, hour + 8, true); });
    CHECK(store->count_attempts(158, all) == 3);
  });
  CHECK(store->count_attempts(158, all) == 3);
  CHECK(store->count_attempts(158, failed) == 1);
  CHECK(store->count_attempts(158, from_next_hour) == 1);
  CHECK(store->count_attempts(159, all) == 1);

  CHECK_THROWS_AS(store->transaction([&] {
    attempt(158, hour + 9, false);
    throw std::runtime_error("roll it all back");
  }),
                  std::runtime_error);
  CHECK(store->count_attempts(158, all) == 3);
  attempt(158, hour + 10, false);  // outside a transaction: row and total together
  CHECK(store->count_attempts(158, failed) == 2);
  // The totals agree with the rows they stand for.
  AttemptFilter by_rows;
  by_rows.key = "k";
  CHECK(store->count_attempts(158, by_rows) == store->count_attempts(158, all));
}

TEST_CASE(CONTRACT "a failed statement swallowed in a transaction never half-commits it") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  // SQLite goes on after a failed statement; PostgreSQL aborts the transaction,
  // and its COMMIT must then be reported as a failure, never taken for success.
  bool committed = false;
  try {
    store->transaction([&] {
      auto t = make_ticket(158, "first");
      REQUIRE(store->insert_ticket(t));
      try {
        auto bad = make_ticket(4242, "no-account");
        store->insert_ticket(bad);
      } catch (const StoreError&) {
      }
      try {
        store->insert_attempt(make_attempt(158, "first", 1));
      } catch (const StoreError&) {
      }
    });
    committed = true;
  } catch (const StoreError&) {
  }
  CHECK(committed == store->ticket(158, "first").has_value());
  CHECK(store->count_attempts(158, {}) == (committed ? 1 : 0));
}

TEST_CASE(CONTRACT "updating a stream user into a duplicate inside a transaction leaves it usable") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  auto a = make_stream_user(158, "live", "cam", std::string("alice"));
  auto b = make_stream_user(158, "live", "cam2", std::string("alice"));
  REQUIRE(store->insert_stream_user(a));
  REQUIRE(store->insert_stream_user(b));
  store->transaction([&] {
    auto clash = b;
    clash.stream = "cam";
    CHECK_FALSE(store->update_stream_user(clash));
    auto t = make_ticket(158, "after");
    CHECK(store->insert_ticket(t));
    CHECK(store->count_stream_users(158) == 2);
  });
  CHECK(store->ticket(158, "after"));
  CHECK(store->stream_user(158, b.id)->stream == "cam2");
}

TEST_CASE(CONTRACT "console attempts: scoped, filtered, newest first, paged both ways") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "demo")));
  REQUIRE(store->insert_account(make_account(2000, "other")));
  std::vector<int64_t> id;
  // {cdn_id, key, datetime, success, reason}
  struct Row {
    int64_t cdn;
    std::string key;
    int64_t when;
    bool ok;
    std::string reason;
  };
  for (const Row& r : std::vector<Row>{{158, "a", 1000, true, "Success"},
                                       {0, "typo", 1010, false, "No such ticket"},
                                       {2000, "b", 1020, true, "Success"},
                                       {158, "a", 1030, false, "Ticket expired"},
                                       {158, "c", 5000, true, "Success"},
                                       {999, "gone", 1040, true, "Success"}}) {
    Attempt a = make_attempt(r.cdn, r.key, r.when);
    a.success = r.ok;
    a.reason = r.reason;
    id.push_back(store->insert_attempt(a));
  }
  AttemptQuery q;
  q.from = 0;
  q.to = 2000;
  q.cdn_id = 158;
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3], id[0]});
  q.cdn_id = 0;
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[1]});
  q.cdn_id.reset();  // every account (not 999: no such account) and the unmatched
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3], id[2], id[1], id[0]});
  q.limit = 2;
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3], id[2]});
  q.before_id = id[2];
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[1], id[0]});
  q.before_id.reset();
  q.after_id = id[0];
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[1], id[2]});
  q.after_id.reset();
  q.limit = 100;
  q.success = false;
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3], id[1]});
  q.success.reset();
  q.reason = "Ticket expired";
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3]});
  q.reason.reset();
  q.key = "b";
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[2]});
  q.key.reset();
  q.cdn_id = 158;
  q.to = 10000;
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[4], id[3], id[0]});
  q.from = 1030;
  q.to = 1030;  // both ends count
  CHECK(ids(store->find_attempts(q)) == std::vector<int64_t>{id[3]});
}

TEST_CASE(CONTRACT "attempt timeline counts per bucket, outcome and reason") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "demo")));
  REQUIRE(store->insert_account(make_account(2000, "other")));
  auto add = [&](int64_t cdn, int64_t when, bool ok, const std::string& reason) {
    Attempt a = make_attempt(cdn, "k", when);
    a.success = ok;
    a.reason = reason;
    store->insert_attempt(a);
  };
  add(158, 600, true, "");
  add(158, 659, true, "");
  add(158, 660, false, "Ticket expired");
  add(158, 700, false, "Ticket expired");
  add(158, 710, false, "Bad pass");
  add(2000, 600, true, "");
  add(0, 601, false, "No such ticket");
  add(158, 5000, true, "");  // out of range

  AttemptQuery q;
  q.from = 600;
  q.to = 719;
  q.cdn_id = 158;
  auto buckets = store->attempt_timeline(q, 600, 60);
  REQUIRE(buckets.size() == 3);
  CHECK(buckets[0].start == 600);
  CHECK(buckets[0].success);
  CHECK(buckets[0].count == 2);
  CHECK(buckets[1].start == 660);
  CHECK(!buckets[1].success);
  CHECK(buckets[1].reason == "Bad pass");
  CHECK(buckets[1].count == 1);
  CHECK(buckets[2].reason == "Ticket expired");
  CHECK(buckets[2].count == 2);

  q.cdn_id.reset();
  int64_t total = 0;
  for (const AttemptBucket& b : store->attempt_timeline(q, 600, 60)) total += b.count;
  CHECK(total == 7);
  q.cdn_id = 0;
  buckets = store->attempt_timeline(q, 600, 120);
  REQUIRE(buckets.size() == 1);
  CHECK(buckets[0].start == 600);
  CHECK(buckets[0].reason == "No such ticket");
}

TEST_CASE(CONTRACT "ticket search: key prefix, app or video, newest first, counted") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "demo")));
  REQUIRE(store->insert_account(make_account(2000, "other")));
  Ticket a = make_ticket(158, "alpha.1");
  Ticket b = make_ticket(158, "beta.2");
  b.app = "demo-live";
  Ticket c = make_ticket(158, "alps.3");
  c.video = "news";
  Ticket d = make_ticket(2000, "alpha.4");
  for (Ticket* t : {&a, &b, &c, &d}) REQUIRE(store->insert_ticket(*t));
  auto keys = [](const std::vector<Ticket>& ts) {
    std::vector<std::string> out;
    for (const Ticket& t : ts) out.push_back(t.key);
    return out;
  };
  CHECK(keys(store->search_tickets(158, "", 0, 50)) ==
        std::vector<std::string>{"alps.3", "beta.2", "alpha.1"});
  CHECK(store->count_tickets_matching(158, "") == 3);
  CHECK(keys(store->search_tickets(158, "alp", 0, 50)) ==
        std::vector<std::string>{"alps.3", "alpha.1"});
  CHECK(store->count_tickets_matching(158, "alp") == 2);
  CHECK(keys(store->search_tickets(158, "alp", 1, 1)) == std::vector<std::string>{"alpha.1"});
  CHECK(keys(store->search_tickets(158, "demo-live", 0, 50)) ==
        std::vector<std::string>{"beta.2"});
  CHECK(keys(store->search_tickets(158, "news", 0, 50)) == std::vector<std::string>{"alps.3"});
  CHECK(store->search_tickets(158, "alpha.4", 0, 50).empty());
  CHECK(store->count_tickets_matching(2000, "alp") == 1);
  CHECK(store->search_tickets(158, "%", 0, 50).empty());
}

TEST_CASE(CONTRACT "console sessions: stored by hash, found, deleted, expired ones go") {
  ContractBackend backend;
  auto store = backend.open();
  store->insert_console_session(ConsoleSession{"h1", 158, 100, 200});
  store->insert_console_session(ConsoleSession{"h2", 0, 100, 300});
  store->insert_console_session(ConsoleSession{"h3", 158, 100, 400});
  auto s = backend.open()->console_session("h2");
  REQUIRE(s);
  CHECK(s->cdn_id == 0);
  CHECK(s->created == 100);
  CHECK(s->expires == 300);
  CHECK(!store->console_session("nope"));
  CHECK(store->delete_console_session("h1"));
  CHECK(!store->delete_console_session("h1"));
  CHECK(!store->console_session("h1"));
  CHECK(store->delete_expired_console_sessions(1000, 1) == 1);
  CHECK(store->delete_expired_console_sessions(1000, 10) == 1);
  CHECK(!store->console_session("h3"));
}

TEST_CASE(CONTRACT "ids handed out are carried over and never handed out again") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  CHECK(store->ids_handed_out().tickets == 0);
  CHECK(store->ids_handed_out().stream_users == 0);
  Ticket kept = make_ticket(158, "kept.0123456789abcd.12345678");
  Ticket gone = make_ticket(158, "gone.0123456789abcd.12345678");
  REQUIRE((store->insert_ticket(kept) && store->insert_ticket(gone)));
  StreamUser user = make_stream_user(158, "live", "one", std::string("alice"));
  REQUIRE(store->insert_stream_user(user));
  REQUIRE(store->delete_ticket(158, gone.key));
  REQUIRE(store->delete_stream_user(158, user.id));
  const IdsHandedOut ids = store->ids_handed_out();
  CHECK(ids.tickets == gone.id);  // the deleted one's, not the largest left
  CHECK(ids.stream_users == user.id);

  store->hand_out_ids_after({gone.id + 40, user.id + 7});
  store->hand_out_ids_after({1, 1});  // never back
  CHECK(store->ids_handed_out().tickets == gone.id + 40);
  Ticket next = make_ticket(158, "next.0123456789abcd.12345678");
  REQUIRE(store->insert_ticket(next));
  CHECK(next.id == gone.id + 41);
  StreamUser bob = make_stream_user(158, "live", "two", std::string("bob"));
  REQUIRE(store->insert_stream_user(bob));
  CHECK(bob.id == user.id + 8);
}

TEST_CASE(CONTRACT "a rotated secret ends the account's console logins, no one else's") {
  ContractBackend backend;
  auto store = backend.open();
  REQUIRE(store->insert_account(make_account(158, "acme")));
  REQUIRE(store->insert_account(make_account(159, "beta")));
  store->insert_console_session(ConsoleSession{"acme1", 158, 100, 5000});
  store->insert_console_session(ConsoleSession{"acme2", 158, 100, 5000});
  store->insert_console_session(ConsoleSession{"beta", 159, 100, 5000});
  store->insert_console_session(ConsoleSession{"operator", 0, 100, 5000});
  CHECK(store->set_account_secret(158, std::string(64, 'c')));
  CHECK(!store->console_session("acme1"));
  CHECK(!store->console_session("acme2"));
  CHECK(store->console_session("beta"));
  CHECK(store->console_session("operator"));
  CHECK_FALSE(store->set_account_secret(4242, "x"));
  CHECK(store->console_session("beta"));
}

// The usher gate, the publish gate and the session gate against a real SQLite
// store in a temporary directory, plus the routing/token of HookApi.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/password_hash.hpp"
#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "hooks/hook_api.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"
#include "usher_service/playback.hpp"
#include "usher_service/publish_rules.hpp"
#include "usher_service/usher_service.hpp"
#include "usher_service/viewing_sessions.hpp"

using namespace sevu;
using namespace sevu::usher_service;

namespace {

// A start that opens a connection-based session, as a media server's play would.
UsherDecision start_playback(Store& store, const UsherRequest& req, int64_t now,
                             const std::string& server) {
  return usher_service::start_playback(store, req, now, server, connection_session(req, 300));
}

constexpr int64_t kNow = 1'750'000'000;
constexpr int64_t kDemo = 158;
constexpr int64_t kOther = 2001;
const std::string kKey = "mystream.0123456789abcd.12345678";

struct TempDb {
  std::string dir;
  std::string path;
  std::unique_ptr<Store> store;

  TempDb() {
    char tmpl[] = "/tmp/sevu-hooks-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = dir + "/sevu.db";
    store = open_sqlite_store(path);
    for (auto [cdn, name] : {std::pair<int64_t, const char*>{kDemo, "demo"}, {kOther, "other"}}) {
      Account a;
      a.cdn_id = cdn;
      a.username = name;
      a.api_key = std::string(32, 'A');
      a.secret = std::string(64, 'a');
      REQUIRE(store->insert_account(a));
    }
  }
  ~TempDb() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  Ticket add_ticket(int64_t uses = 5, std::string ip = "", std::string key = kKey,
                    int64_t cdn = kDemo) {
    Ticket t;
    t.cdn_id = cdn;
    t.key = std::move(key);
    t.pass = "pw";
    t.ip = std::move(ip);
    t.video = "mystream";
    t.app = "demo-origin";
    t.uses = uses;
    t.created = kNow - 60;
    t.expires = kNow + 3600;
    REQUIRE(store->insert_ticket(t));
    return t;
  }

  Ticket ticket(const std::string& key = kKey) {
    auto t = store->ticket_by_key(key);
    REQUIRE(t);
    return *t;
  }

  std::vector<Attempt> attempts(int64_t cdn = kDemo) {
    return store->attempts(cdn, AttemptFilter{});
  }
};

// The hook API as the server wires it: a store pool on the test database, the
// usher service over it, the routes in front.
struct Hooks {
  Hooks(const std::string& path, const Clock& clock, std::string server = "sevu",
        std::string token = "")
      : pool([path] { return open_sqlite_store(path); }, 1, 64),
        usher(clock, UsherConfig{std::move(server), 60}, pool),
        api(HookConfig{std::move(token), "", ""}, usher, errors, clock) {}
  StorePool pool;
  ErrorSink errors{[](const std::string&) {}};
  UsherService usher;
  HookApi api;
};

// HookApi::handle's answer, waited for: decisions answer from other threads.
HttpResponse handle(HookApi& api, const HttpRequest& req) {
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  api.handle(HttpRequest(req), [answer](HttpResponse r) { answer->set_value(std::move(r)); });
  return answer->get_future().get();
}

UsherRequest viewer(std::string pass = "pw", std::string ip = "10.0.0.1") {
  UsherRequest a;
  a.action = UsherAction::kStart;
  a.credentials.key = kKey;
  a.credentials.pass = std::move(pass);
  a.client_ip = std::move(ip);
  a.app = "demo-origin";
  a.video = "mystream";
  a.protocol = "play";
  a.pageurl = "http://site.example/page";
  a.refurl = "http://site.example/player.swf";
  return a;
}

// A viewer's request over HTTP streaming (nginx auth_request): one viewing, many requests.
UsherRequest hls_viewer() {
  UsherRequest r = viewer();
  r.action = UsherAction::kView;
  return r;
}

UsherRequest publisher(std::string app, std::string stream, std::optional<std::string> user,
                       std::optional<std::string> pass, std::string ip = "127.0.0.1",
                       UsherAction action = UsherAction::kPublish) {
  UsherRequest a;
  a.action = action;
  a.credentials.user = std::move(user);
  a.credentials.pass = std::move(pass);
  a.client_ip = std::move(ip);
  a.app = std::move(app);
  a.video = std::move(stream);
  return a;
}

void add_stream_user(TempDb& db, int64_t cdn, const char* stream, std::optional<std::string> user,
                     std::optional<std::string> pass, const char* app = "demo-origin") {
  StreamUser u;
  u.cdn_id = cdn;
  u.app = app;
  u.stream = stream;
  u.user = std::move(user);
  if (pass) u.pass_hash = hash_password(*pass, 1000);
  REQUIRE(db.store->insert_stream_user(u));
}

}  // namespace

TEST_CASE("a granted start spends one use, stamps used, and logs every field") {
  TempDb db;
  db.add_ticket(5);
  UsherDecision r = start_playback(*db.store, viewer(), kNow, "edge-1");
  CHECK(r.allowed);
  CHECK(r.reason == "Success");
  CHECK(r.uses_left == std::optional<int64_t>(4));
  Ticket t = db.ticket();
  CHECK(t.uses == 4);
  CHECK(t.used == kNow);

  auto rows = db.attempts();
  REQUIRE(rows.size() == 1);
  const Attempt& a = rows[0];
  CHECK(a.cdn_id == kDemo);
  CHECK(a.datetime == kNow);
  CHECK(a.key == kKey);
  CHECK(a.pass == "pw");
  CHECK(a.ip == "10.0.0.1");
  CHECK(a.app == "demo-origin");
  CHECK(a.video == "mystream");
  CHECK(a.appinst == "play");
  CHECK(a.pageurl == "http://site.example/page");
  CHECK(a.refurl == "http://site.example/player.swf");
  CHECK(a.success);
  CHECK(a.reason == "Success");
  CHECK(a.server == "edge-1");
}

TEST_CASE("refusals spend nothing, are logged with their reason, and reveal no uses") {
  TempDb db;
  db.add_ticket(1);
  UsherDecision wrong = start_playback(*db.store, viewer("nope"), kNow, "s");
  CHECK_FALSE(wrong.allowed);
  CHECK(wrong.reason == "Invalid Auth Token");
  CHECK_FALSE(wrong.uses_left);

  UsherRequest other_video = viewer();
  other_video.video = "secret";
  CHECK(start_playback(*db.store, other_video, kNow, "s").reason ==
        "Not authorized for that video");
  UsherRequest other_app = viewer();
  other_app.app = "other-origin";
  CHECK(start_playback(*db.store, other_app, kNow, "s").reason == "Wrong Application");
  CHECK(start_playback(*db.store, viewer(), kNow + 7200, "s").reason ==
        "Expiration date surpassed");
  CHECK(db.ticket().uses == 1);

  CHECK(start_playback(*db.store, viewer(), kNow, "s").allowed);
  CHECK(start_playback(*db.store, viewer(), kNow, "s").reason == "Exceeded max views");

  auto rows = db.attempts();
  REQUIRE(rows.size() == 6);
  CHECK(rows[0].reason == "Invalid Auth Token");
  CHECK_FALSE(rows[0].success);
  CHECK(rows[0].cdn_id == kDemo);  // the owner sees attempts on his ticket
  CHECK(rows[4].reason == "Exceeded max views");
  CHECK(rows[5].reason == "Expiration date surpassed");  // oldest first: it was logged at +2h
}

TEST_CASE("an unknown key is logged under no account") {
  TempDb db;
  db.add_ticket();
  UsherRequest a = viewer();
  a.credentials.key = "nosuch.00000000000000.00000000";
  UsherDecision r = start_playback(*db.store, a, kNow, "s");
  CHECK(r.reason == "Invalid Auth Token");
  CHECK(db.attempts(kDemo).empty());
  CHECK(db.attempts(0).size() == 1);
  UsherRequest keyless = viewer();
  keyless.credentials.key.reset();
  CHECK(start_playback(*db.store, keyless, kNow, "s").reason == "Invalid Auth Token");
  CHECK(db.attempts(0).size() == 2);
}

TEST_CASE("an auto ip entry is bound by the first start and then enforced") {
  TempDb db;
  db.add_ticket(5, "auto");
  CHECK(start_playback(*db.store, viewer("pw", "10.0.0.1"), kNow, "s").allowed);
  CHECK(db.ticket().ip == "10.0.0.1");
  CHECK(start_playback(*db.store, viewer("pw", "10.0.0.2"), kNow, "s").reason ==
        "Invalid IP Address");
  CHECK(start_playback(*db.store, viewer("pw", "10.0.0.1"), kNow, "s").allowed);
  CHECK(db.ticket().uses == 3);
}

TEST_CASE("a recheck spends nothing and logs nothing, but sees revocation and expiry") {
  TempDb db;
  db.add_ticket(1);
  CHECK(start_playback(*db.store, viewer(), kNow, "s").allowed);
  UsherDecision r = recheck_playback(*db.store, viewer(), kNow + 10);
  CHECK(r.allowed);  // uses are not checked: the session already started
  CHECK(r.uses_left == std::optional<int64_t>(0));
  CHECK(db.attempts().size() == 1);
  CHECK(recheck_playback(*db.store, viewer(), kNow + 7200).reason == "Expiration date surpassed");
  Ticket t = db.ticket();
  t.active = false;
  REQUIRE(db.store->update_ticket(t));
  CHECK(recheck_playback(*db.store, viewer(), kNow + 10).reason == "Token Revoked");
  CHECK(db.attempts().size() == 1);
  CHECK(db.ticket().uses == 0);
}

TEST_CASE("concurrent starts on separate connections grant exactly the uses") {
  TempDb db;
  db.add_ticket(5);
  std::atomic<int> granted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      try {
        auto store = open_sqlite_store(db.path);
        for (int i = 0; i < 25; ++i) {
          if (start_playback(*store, viewer(), kNow, "s").allowed) granted++;
        }
      } catch (const std::exception&) {
        errors++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors == 0);
  CHECK(granted == 5);
  CHECK(db.ticket().uses == 0);
  auto rows = db.store->attempts(kDemo, [] {
    AttemptFilter f;
    f.limit = 1000;
    return f;
  }());
  CHECK(rows.size() == 200);
  int successes = 0;
  for (const auto& a : rows) successes += a.success ? 1 : 0;
  CHECK(successes == 5);
}

TEST_CASE("publish: free rows, user+pass rows, '*' rows, and what is logged") {
  TempDb db;
  add_stream_user(db, kDemo, "mystream", std::string("enc1"), std::string("s3cret"));
  add_stream_user(db, kDemo, "*", std::string("any"), std::string("wild"));
  add_stream_user(db, kOther, "free", std::nullopt, std::nullopt, "other-live");

  auto publish = [&](const char* app, const char* stream, std::optional<std::string> user,
                     std::optional<std::string> pass) {
    return authorize_publish(*db.store, publisher(app, stream, std::move(user), std::move(pass)),
                             kNow, "edge");
  };
  CHECK(publish("demo-origin", "mystream", "enc1", "s3cret").allowed);
  CHECK(publish("demo-origin", "mystream", "any", "wild").allowed);  // '*' covers it too
  CHECK(publish("demo-origin", "otherstream", "any", "wild").allowed);
  UsherDecision bad = publish("demo-origin", "mystream", "enc1", "wrong");
  CHECK_FALSE(bad.allowed);
  CHECK(bad.reason == "Publish Denied: bad credentials");
  CHECK_FALSE(publish("demo-origin", "otherstream", "enc1", "s3cret").allowed);
  CHECK_FALSE(publish("demo-origin", "mystream", std::nullopt, std::nullopt).allowed);
  CHECK(publish("other-live", "free", std::nullopt, std::nullopt).allowed);
  UsherDecision none = publish("nobody-live", "x", "u", "p");
  CHECK(none.reason == "Publish Denied: no stream user");

  auto demo_rows = db.attempts(kDemo);
  REQUIRE(demo_rows.size() == 6);
  for (const auto& a : demo_rows) {
    CHECK(a.key == "");
    CHECK(a.pass == "");  // the password is never logged
    CHECK(a.appinst == "publish");
    CHECK(a.app == "demo-origin");
  }
  CHECK(demo_rows[0].reason == "Publish Authorized");
  CHECK(demo_rows[0].video == "mystream");
  CHECK(demo_rows[3].reason == "Publish Denied: bad credentials");
  CHECK(db.attempts(kOther).size() == 1);
  CHECK(db.attempts(0).size() == 1);
  CHECK(db.attempts(0)[0].reason == "Publish Denied: no stream user");

  // Re-verification (nginx-rtmp update_publish) logs nothing.
  CHECK(authorize_publish(*db.store,
                          publisher("demo-origin", "mystream", std::string("enc1"),
                                    std::string("s3cret"), "127.0.0.1",
                                    UsherAction::kRecheckPublish),
                          kNow, "edge")
            .allowed);
  CHECK(db.attempts(kDemo).size() == 6);
}

TEST_CASE("HTTP sessions: one start per viewing, revocation ends it at once") {
  TempDb db;
  db.add_ticket(5);
  ViewingSessions sessions(60);
  IfRolledBack undo;
  auto view = [&](int64_t at, UsherRequest a = viewer()) {
    return view_in_session(*db.store, sessions, a, at, "s", undo);
  };
  CHECK(view(kNow).allowed);      // playlist: a start
  CHECK(view(kNow + 2).allowed);  // segments: no spend, no row
  CHECK(view(kNow + 50).allowed);
  CHECK(db.ticket().uses == 4);
  CHECK(db.attempts().size() == 1);

  CHECK(view(kNow + 50, viewer("pw", "10.0.0.9")).allowed);  // another viewer: its own start
  CHECK(db.ticket().uses == 3);

  CHECK(view(kNow + 50 + 61).allowed);  // idle past the window: a new start
  CHECK(db.ticket().uses == 2);
  CHECK(db.attempts().size() == 3);

  Ticket t = db.ticket();
  t.active = false;
  REQUIRE(db.store->update_ticket(t));
  UsherDecision revoked = view(kNow + 112);
  CHECK_FALSE(revoked.allowed);
  CHECK(revoked.reason == "Token Revoked");
  CHECK(db.attempts().size() == 3);  // a session's refusal is no new attempt...
  t.active = true;
  REQUIRE(db.store->update_ticket(t));
  CHECK(view(kNow + 113).allowed);  // ...but the session is over: this is a start again
  CHECK(db.attempts().size() == 4);
  CHECK(db.ticket().uses == 1);
}

TEST_CASE("HTTP sessions live in the store too: another instance continues them") {
  TempDb db;
  db.add_ticket(5);
  auto second = open_sqlite_store(db.path);  // another instance's connection
  ViewingSessions a(60), b(60);              // each instance's memory
  IfRolledBack undo;
  auto view_on = [&](Store& store, ViewingSessions& sessions, int64_t at) {
    return view_in_session(store, sessions, viewer(), at, "s", undo);
  };
  CHECK(view_on(*db.store, a, kNow).allowed);  // opened on A: one use
  CHECK(view_on(*second, b, kNow + 5).allowed);  // next segment on B: continued
  CHECK(db.ticket().uses == 4);
  CHECK(db.attempts().size() == 1);
  CHECK(b.live(SessionKey{kKey, "pw", "10.0.0.1", "demo-origin", "mystream"}, kNow + 5));

  // Kept alive on B alone past A's idle window: B refreshed the stored copy,
  // so A still continues it.
  for (int64_t t = kNow + 35; t <= kNow + 95; t += 30) CHECK(view_on(*second, b, t).allowed);
  CHECK(view_on(*db.store, a, kNow + 100).allowed);
  CHECK(db.ticket().uses == 4);

  // Ended on one (revoked), over everywhere: once the ticket is back, the
  // viewer's next request on the other instance is a start.
  Ticket t = db.ticket();
  t.active = false;
  REQUIRE(db.store->update_ticket(t));
  CHECK_FALSE(view_on(*db.store, a, kNow + 101).allowed);
  t.active = true;
  REQUIRE(db.store->update_ticket(t));
  b.end(SessionKey{kKey, "pw", "10.0.0.1", "demo-origin", "mystream"});  // B's memory lapsed
  CHECK(view_on(*second, b, kNow + 102).allowed);
  CHECK(db.ticket().uses == 3);

  // Idle past the window in the store as well: a start.
  ViewingSessions c(60);
  CHECK(view_on(*second, c, kNow + 102 + 61).allowed);
  CHECK(db.ticket().uses == 2);
}

TEST_CASE("HookApi: token, routes and methods are checked before anything is decoded") {
  TempDb db;
  Clock clock;
  Hooks open(db.path, clock);
  Hooks locked(db.path, clock, "sevu", "t0k3n");
  auto req = [](std::string method, std::string target) {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    return r;
  };
  // Past the token, the route and the method, an empty call is malformed: 400.
  auto status = [](Hooks& h, const HttpRequest& r) { return handle(h.api, r).status; };
  CHECK(status(open, req("POST", "/hooks/nginx-rtmp")) == 400);
  CHECK(status(open, req("GET", "/hooks/auth-request")) == 400);
  CHECK(status(open, req("POST", "/hooks/srs")) == 400);
  CHECK(status(open, req("POST", "/hooks/mediamtx")) == 400);
  CHECK(status(open, req("POST", "/hooks/check")) == 400);
  CHECK(status(open, req("POST", "/hooks/nope")) == 404);
  HttpResponse wrong = handle(open.api, req("GET", "/hooks/check"));
  CHECK(wrong.status == 405);
  REQUIRE(wrong.headers.size() == 1);
  CHECK(wrong.headers[0].first == "Allow");
  CHECK(wrong.headers[0].second == "POST");

  CHECK(status(locked, req("POST", "/hooks/check")) == 401);
  CHECK(status(locked, req("POST", "/hooks/check?token=wrong")) == 401);
  CHECK(status(locked, req("POST", "/hooks/check?token=t0k3")) == 401);
  CHECK(status(locked, req("POST", "/hooks/nope")) == 401);  // no route map for strangers
  CHECK(status(locked, req("POST", "/hooks/check?token=t0k3n")) == 400);
  CHECK(status(locked, req("POST", "/hooks/check?a=1&token=t0k3n")) == 400);
  HttpRequest with_header = req("POST", "/hooks/check");
  with_header.headers = {{"X-Sevu-Hook-Token", "t0k3n"}};
  CHECK(status(locked, with_header) == 400);
  with_header.headers = {{"x-sevu-hook-token", "t0k3nX"}};
  CHECK(status(locked, with_header) == 401);
  // Either place carrying the right token is enough.
  with_header.target = "/hooks/check?token=t0k3n";
  CHECK(status(locked, with_header) == 400);
  CHECK(db.attempts().empty());
}

TEST_CASE("viewer bytes that are not UTF-8 are logged repaired, decided on as sent") {
  TempDb db;
  db.add_ticket(5);
  UsherRequest a = viewer();
  a.video = "my\xFFstream";
  a.pageurl = "http://site.example/\xC3";
  UsherDecision r = start_playback(*db.store, a, kNow, "edge-1");
  CHECK(r.reason == "Not authorized for that video");
  UsherRequest p = publisher("demo-origin", "cam\xFE", std::string("u\xFF"), std::string("x"));
  CHECK_FALSE(authorize_publish(*db.store, p, kNow, "edge-1").allowed);
  // Both rows go to demo: it owns the ticket, and the app "demo-origin" too.
  auto rows = db.attempts();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].video == "my\xEF\xBF\xBDstream");
  CHECK(rows[0].pageurl == "http://site.example/\xEF\xBF\xBD");
  CHECK(rows[1].video == "cam\xEF\xBF\xBD");
  CHECK(db.attempts(0).empty());
}

TEST_CASE("HookApi: nginx-rtmp play and update through handle()") {
  TempDb db;
  db.add_ticket(1);
  Clock clock;
  clock.set(kNow);
  Hooks hooks(db.path, clock, "edge-9");
  HookApi& api = hooks.api;
  HttpRequest play;
  play.method = "POST";
  play.target = "/hooks/nginx-rtmp";
  play.body =
      "app=demo-origin&flashver=&swfurl=&tcurl=rtmp%3A%2F%2Fh%2Fdemo-origin&pageurl=&addr=10.0.0.1&"
      "clientid=1&call=play&name=mystream&start=0&duration=0&reset=0&key=" +
      kKey + "&pass=pw&call=publish&addr=9.9.9.9";
  HttpResponse r = handle(api, play);
  CHECK(r.status == 200);
  CHECK(r.body.empty());
  auto rows = db.attempts();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].ip == "10.0.0.1");
  CHECK(rows[0].server == "edge-9");
  CHECK(handle(api, play).status == 403);  // used up

  HttpRequest update = play;
  update.body =
      "app=demo-origin&addr=10.0.0.1&clientid=1&call=update_play&time=30&timestamp=1&"
      "name=mystream&key=" +
      kKey + "&pass=pw";
  CHECK(handle(api, update).status == 200);
  Ticket t = db.ticket();
  t.active = false;
  REQUIRE(db.store->update_ticket(t));
  CHECK(handle(api, update).status == 403);
  CHECK(db.attempts().size() == 2);  // updates log nothing

  HttpRequest junk = play;
  junk.body = "name=x";
  CHECK(handle(api, junk).status == 400);
}

namespace {

HttpRequest generic_publish(const std::string& user, const std::string& pass,
                            const std::string& ip = "10.0.0.1") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/hooks/check";
  r.body = R"({"action":"publish","app":"demo-origin","video":"mystream","ip":")" + ip +
           R"(","user":")" + user + R"(","pass":")" + pass + R"("})";
  return r;
}

}  // namespace

TEST_CASE("HookApi: a publish is verified off the store worker, logged, then answered") {
  TempDb db;
  add_stream_user(db, kDemo, "mystream", std::string("enc"), std::string("s3cret"));
  Clock clock;
  clock.set(kNow);
  Hooks hooks(db.path, clock, "edge-3");
  HookApi& api = hooks.api;

  HttpResponse ok = handle(api, generic_publish("enc", "s3cret"));
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"allowed":true,"reason":"Publish Authorized"})");
  HttpResponse bad = handle(api, generic_publish("enc", "wrong"));
  CHECK(bad.status == 403);
  CHECK(bad.body == R"({"allowed":false,"reason":"Publish Denied: bad credentials"})");
  auto rows = db.attempts();
  REQUIRE(rows.size() == 2);  // logged before the answer left
  CHECK(rows[0].reason == "Publish Authorized");
  CHECK(rows[0].server == "edge-3");
  CHECK(rows[1].reason == "Publish Denied: bad credentials");

  // nginx-rtmp's re-check of a running publisher: verified, never logged.
  HttpRequest update;
  update.method = "POST";
  update.target = "/hooks/nginx-rtmp";
  update.body = "app=demo-origin&addr=10.0.0.1&call=update_publish&name=mystream&user=enc&pass=";
  CHECK(handle(api, update).status == 403);
  update.body += "s3cret";
  CHECK(handle(api, update).status == 200);
  CHECK(db.attempts().size() == 2);
}

TEST_CASE("a disabled account's tickets stop playing and its stream users stop publishing") {
  TempDb db;
  db.add_ticket(5);
  add_stream_user(db, kDemo, "mystream", std::string("enc"), std::string("s3cret"));
  add_stream_user(db, kDemo, "free", std::nullopt, std::nullopt);
  ViewingSessions sessions(60);
  IfRolledBack undo;
  CHECK(view_in_session(*db.store, sessions, viewer(), kNow, "s", undo).allowed);  // a session runs
  REQUIRE(db.store->set_account_active(kDemo, false));

  UsherDecision start = start_playback(*db.store, viewer(), kNow, "s");
  CHECK(start.reason == "Account Disabled");
  CHECK_FALSE(start.uses_left);
  CHECK(recheck_playback(*db.store, viewer(), kNow).reason == "Account Disabled");
  CHECK(view_in_session(*db.store, sessions, viewer(), kNow + 1, "s", undo).reason ==
        "Account Disabled");
  CHECK(start_playback(*db.store, viewer("nope"), kNow, "s").reason == "Invalid Auth Token");
  CHECK(db.ticket().uses == 4);

  auto publish = [&](const char* stream, std::optional<std::string> user,
                     std::optional<std::string> pass) {
    return authorize_publish(*db.store, publisher("demo-origin", stream, user, pass), kNow, "s");
  };
  CHECK(publish("mystream", "enc", "s3cret").reason == "Publish Denied: account disabled");
  CHECK(publish("mystream", "enc", "wrong").reason == "Publish Denied: bad credentials");
  CHECK(publish("free", std::nullopt, std::nullopt).reason == "Publish Denied: account disabled");
  auto rows = db.attempts();
  REQUIRE(rows.size() == 6);
  CHECK(rows[1].reason == "Account Disabled");
  CHECK(rows[3].reason == "Publish Denied: account disabled");
  CHECK(rows[3].cdn_id == kDemo);

  REQUIRE(db.store->set_account_active(kDemo, true));  // enabling restores all three
  CHECK(start_playback(*db.store, viewer(), kNow, "s").allowed);
  CHECK(view_in_session(*db.store, sessions, viewer(), kNow + 2, "s", undo).allowed);
  CHECK(publish("mystream", "enc", "s3cret").allowed);
  CHECK(publish("free", std::nullopt, std::nullopt).allowed);
}

TEST_CASE("publish: a disabled account's free row opens nothing, an enabled account's row does") {
  TempDb db;
  // "live" belongs to no account: every account's stream users count there.
  add_stream_user(db, kOther, "cam", std::nullopt, std::nullopt, "live");
  add_stream_user(db, kDemo, "cam", std::string("enc"), std::string("s3cret"), "live");
  REQUIRE(db.store->set_account_active(kOther, false));
  UsherRequest a = publisher("live", "cam", std::string("enc"), std::string("s3cret"));
  const PublishRows rows = publish_rows(*db.store, a);
  CHECK(rows.enabled.size() == 1);
  CHECK(rows.disabled.size() == 1);
  CHECK_FALSE(rule_publish_without_hash(rows, a));  // the enabled row needs its hash checked
  UsherDecision r = authorize_publish(*db.store, a, kNow, "s");
  CHECK(r.allowed);
  a.credentials.pass = "wrong";
  // No enabled row matches; the disabled account's free row would: refused as disabled.
  CHECK(authorize_publish(*db.store, a, kNow, "s").reason == "Publish Denied: account disabled");
}

namespace {

UsherRequest rtmp_viewer(const std::string& clientid, UsherAction action = UsherAction::kStart) {
  UsherRequest r = viewer();
  r.action = action;
  r.media_server = "nginx-rtmp";
  r.session_id = clientid;
  return r;
}

Ticket limited(TempDb& db, int64_t max_viewers, const char* when_full, int64_t uses = 100) {
  Ticket t = db.add_ticket(uses);
  t.max_viewers = max_viewers;
  t.when_full = when_full;
  REQUIRE(db.store->update_ticket(t));
  return t;
}

}  // namespace

TEST_CASE("every granted start opens a session; update keeps it, play_done closes it") {
  TempDb db;
  db.add_ticket(5);
  UsherDecision d = start_playback(*db.store, rtmp_viewer("7"), kNow, "s");
  REQUIRE(d.allowed);
  CHECK((d.expires == kNow + 3600 && !d.session_id.empty()));
  auto live = db.store->live_viewing_sessions(kDemo, kKey, kNow + 1);
  REQUIRE(live.size() == 1);
  CHECK((live[0].id == d.session_id && live[0].client_ref == "7" &&
         live[0].media_server == "nginx-rtmp" && live[0].ip == "10.0.0.1" && live[0].lapse == 300));
  CHECK(recheck_connection(*db.store, rtmp_viewer("7", UsherAction::kRecheck), kNow + 250, 300)
            .allowed);
  CHECK(db.store->live_viewing_sessions(kDemo, kKey, kNow + 500).size() == 1);  // kept alive
  CHECK(db.store->live_viewing_sessions(kDemo, kKey, kNow + 551).empty());      // its TTL ran out
  ViewingSessions memory(60);
  end_viewing(*db.store, memory, rtmp_viewer("7", UsherAction::kEnd), kNow + 260, 300);
  CHECK(db.store->live_viewing_sessions(kDemo, kKey, kNow + 261).empty());
  // Ended, not forgotten: an update after play_done is refused (SPEC §4).
  auto closed = db.store->viewing_session(d.session_id);
  REQUIRE(closed);
  CHECK(closed->ended == kNow + 260);
  UsherDecision after =
      recheck_connection(*db.store, rtmp_viewer("7", UsherAction::kRecheck), kNow + 261, 300);
  CHECK((!after.allowed && after.reason == "Session Ended"));
  // The same connection starting again opens it anew.
  UsherDecision again = start_playback(*db.store, rtmp_viewer("7"), kNow + 262, "s");
  CHECK((again.allowed && again.session_id == d.session_id));
  CHECK(recheck_connection(*db.store, rtmp_viewer("7", UsherAction::kRecheck), kNow + 263, 300)
            .allowed);
  // Without a clientid each start is its own session.
  UsherDecision a = start_playback(*db.store, rtmp_viewer(""), kNow + 300, "s");
  UsherDecision b = start_playback(*db.store, rtmp_viewer(""), kNow + 300, "s");
  CHECK((a.allowed && b.allowed && a.session_id != b.session_id));
}

TEST_CASE("a re-check of a session past its TTL is refused, named or not: it does not come back") {
  TempDb db;
  db.add_ticket(5);
  int64_t at = kNow;
  for (const char* clientid : {"7", ""}) {  // named by nginx-rtmp's clientid, then by none
    CAPTURE(clientid);
    REQUIRE(start_playback(*db.store, rtmp_viewer(clientid), at, "s").allowed);
    const UsherRequest recheck = rtmp_viewer(clientid, UsherAction::kRecheck);
    CHECK(recheck_connection(*db.store, recheck, at + 300, 300).allowed);
    UsherDecision late = recheck_connection(*db.store, recheck, at + 601, 300);
    CHECK((!late.allowed && late.reason == "Session Ended"));
    CHECK(db.store->live_viewing_sessions(kDemo, kKey, at + 601).empty());
    at += 1000;
  }
}

TEST_CASE("max_viewers with deny: a start beyond the limit is refused, spends nothing") {
  TempDb db;
  limited(db, 2, "deny");
  CHECK(start_playback(*db.store, rtmp_viewer("1"), kNow, "s").allowed);
  CHECK(start_playback(*db.store, rtmp_viewer("2"), kNow, "s").allowed);
  UsherDecision third = start_playback(*db.store, rtmp_viewer("3"), kNow, "s");
  CHECK_FALSE(third.allowed);
  CHECK(third.reason == "Too many viewers");
  CHECK_FALSE(third.uses_left);
  CHECK(db.ticket().uses == 98);
  CHECK(db.attempts().back().reason == "Too many viewers");
  // The limit is checked after every other check: a wrong pass is still that.
  CHECK(start_playback(*db.store, [] {
          UsherRequest r = rtmp_viewer("4");
          r.credentials.pass = "nope";
          return r;
        }(), kNow, "s").reason == "Invalid Auth Token");
  // One viewer leaves: there is room again.
  ViewingSessions memory(60);
  end_viewing(*db.store, memory, rtmp_viewer("1", UsherAction::kEnd), kNow + 5, 300);
  CHECK(start_playback(*db.store, rtmp_viewer("3"), kNow + 6, "s").allowed);
}

TEST_CASE("max_viewers with end_oldest: the oldest session is bumped and refused at its update") {
  TempDb db;
  limited(db, 1, "end_oldest");
  UsherDecision first = start_playback(*db.store, rtmp_viewer("1"), kNow, "s");
  REQUIRE(first.allowed);
  UsherDecision second = start_playback(*db.store, rtmp_viewer("2"), kNow + 1, "s");
  REQUIRE(second.allowed);
  REQUIRE(second.ended_sessions.size() == 1);
  CHECK(second.ended_sessions[0].id == first.session_id);
  auto live = db.store->live_viewing_sessions(kDemo, kKey, kNow + 2);
  REQUIRE(live.size() == 1);
  CHECK(live[0].id == second.session_id);
  UsherDecision update = recheck_connection(*db.store, rtmp_viewer("1", UsherAction::kRecheck),
                                            kNow + 3, 300);
  CHECK_FALSE(update.allowed);
  CHECK(update.reason == "Session Ended");
  CHECK(recheck_connection(*db.store, rtmp_viewer("2", UsherAction::kRecheck), kNow + 3, 300)
            .allowed);
  CHECK(db.ticket().uses == 98);
}

TEST_CASE("concurrent starts on separate connections open at most max_viewers sessions") {
  TempDb db;
  limited(db, 3, "deny", 1000);
  std::atomic<int> granted{0}, errors{0}, next_id{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      try {
        auto store = open_sqlite_store(db.path);
        for (int i = 0; i < 10; ++i) {
          const std::string id = std::to_string(next_id++);
          if (start_playback(*store, rtmp_viewer(id), kNow, "s").allowed) granted++;
        }
      } catch (const std::exception&) {
        errors++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors == 0);
  CHECK(granted == 3);
  CHECK(db.store->live_viewing_sessions(kDemo, kKey, kNow).size() == 3);
  CHECK(db.ticket().uses == 997);
}

TEST_CASE("an HTTP session ended in the store is refused at its next request, and not restarted") {
  TempDb db;
  db.add_ticket(5);
  ViewingSessions memory(60);
  IfRolledBack undo;
  const UsherRequest hls = hls_viewer();
  UsherDecision d = view_in_session(*db.store, memory, hls, kNow, "s", undo);
  REQUIRE(d.allowed);
  REQUIRE(db.store->end_viewing_session(d.session_id, kNow + 1, "ended through the API"));
  UsherDecision next = view_in_session(*db.store, memory, hls, kNow + 2, "s", undo);
  CHECK_FALSE(next.allowed);
  CHECK(next.reason == "Session Ended");
  // Another instance (or this one, its memory gone) refuses it as well: no new start.
  ViewingSessions other(60);
  CHECK(view_in_session(*db.store, other, hls, kNow + 3, "s", undo).reason == "Session Ended");
  CHECK(db.ticket().uses == 4);
  CHECK(db.attempts().size() == 1);
}

namespace {
// One HTTP viewer and a ticket of 5 uses on one store, seen by two instances'
// memories with an idle window of 10 s.
struct TwoInstances {
  TempDb db;
  ViewingSessions first{10}, second{10};
  IfRolledBack undo;
  const UsherRequest hls = hls_viewer();
  TwoInstances() { db.add_ticket(5); }
  UsherDecision view(ViewingSessions& instance, int64_t seconds) {
    return view_in_session(*db.store, instance, hls, kNow + seconds, "s", undo);
  }
};
}  // namespace

TEST_CASE("an HTTP session taken over from another instance is written at once") {
  TwoInstances two;
  TempDb& db = two.db;
  const UsherDecision opened = two.view(two.first, 0);
  REQUIRE(opened.allowed);
  for (int t : {2, 4}) REQUIRE(two.view(two.first, t).allowed);
  CHECK(db.store->viewing_session(opened.session_id)->last_seen == kNow + 4);
  REQUIRE(two.view(two.second, 6).allowed);
  CHECK(db.store->viewing_session(opened.session_id)->last_seen == kNow + 6);
  CHECK(db.ticket().uses == 4);
}

TEST_CASE("a viewer who paused for less than the idle window continues on another instance") {
  TwoInstances two;
  REQUIRE(two.view(two.first, 0).allowed);
  REQUIRE(two.view(two.first, 3).allowed);
  // 9 s after the last request (under the window), 13 s after the opening: the
  // store must know of the request at kNow + 3, or this is a second start.
  REQUIRE(two.view(two.second, 12).allowed);
  CHECK(two.db.ticket().uses == 4);
  CHECK(two.db.attempts().size() == 1);
}

TEST_CASE("an ended session is refused for an idle window after its end, whatever was stored") {
  TempDb db;
  db.add_ticket(5);
  ViewingSessions memory(10);
  IfRolledBack undo;
  const UsherRequest hls = hls_viewer();
  const UsherDecision opened = view_in_session(*db.store, memory, hls, kNow, "s", undo);
  REQUIRE(opened.allowed);
  REQUIRE(view_in_session(*db.store, memory, hls, kNow + 4, "s", undo).allowed);  // not stored
  REQUIRE(db.store->end_viewing_session(opened.session_id, kNow + 5, "ended through the API"));
  ViewingSessions other(10);  // another instance, or this one after a restart
  CHECK(view_in_session(*db.store, other, hls, kNow + 12, "s", undo).reason == "Session Ended");
  CHECK(view_in_session(*db.store, other, hls, kNow + 15, "s", undo).reason == "Session Ended");
  CHECK(view_in_session(*db.store, other, hls, kNow + 16, "s", undo).allowed);  // a new viewing
  CHECK(db.ticket().uses == 3);
}

TEST_CASE("end_oldest bumps the first of sessions opened in the same second") {
  TempDb db;
  limited(db, 2, "end_oldest");
  UsherDecision a = start_playback(*db.store, rtmp_viewer("a"), kNow, "s");
  UsherDecision b = start_playback(*db.store, rtmp_viewer("b"), kNow, "s");
  UsherDecision c = start_playback(*db.store, rtmp_viewer("c"), kNow, "s");
  REQUIRE((a.allowed && b.allowed && c.allowed));
  REQUIRE(c.ended_sessions.size() == 1);
  CHECK(c.ended_sessions[0].id == a.session_id);
  auto live = db.store->live_viewing_sessions(kDemo, kKey, kNow);
  REQUIRE(live.size() == 2);
  CHECK((live[0].id == b.session_id && live[1].id == c.session_id));
}

TEST_CASE("sessions with and without a name, opened in one second, in the order of their starts") {
  TempDb db;
  limited(db, 2, "end_oldest");
  UsherRequest unnamed = rtmp_viewer("");  // no connection id: kept in its attempt row
  unnamed.client_ip = "10.0.0.2";
  UsherDecision a = start_playback(*db.store, rtmp_viewer("a"), kNow, "s");
  UsherDecision b = start_playback(*db.store, unnamed, kNow, "s");
  UsherDecision c = start_playback(*db.store, rtmp_viewer("c"), kNow, "s");
  REQUIRE((a.allowed && b.allowed && c.allowed));
  REQUIRE(c.ended_sessions.size() == 1);
  CHECK(c.ended_sessions[0].id == a.session_id);  // the first start's, not the unnamed one
  auto live = db.store->live_viewing_sessions(kDemo, kKey, kNow);
  REQUIRE(live.size() == 2);
  CHECK((live[0].id == b.session_id && live[1].id == c.session_id));
  UsherDecision d = start_playback(*db.store, rtmp_viewer("d"), kNow, "s");
  REQUIRE((d.allowed && d.ended_sessions.size() == 1));
  CHECK(d.ended_sessions[0].id == b.session_id);
}

namespace {

UsherDecision decided(UsherService& usher, UsherRequest req) {
  auto answer = std::make_shared<std::promise<UsherDecision>>();
  usher.decide(std::move(req), [answer](UsherDecision d) { answer->set_value(std::move(d)); });
  return answer->get_future().get();
}

// Attempts in the store once every answered decision's row is in (the
// read-your-writes path the APIs take).
std::size_t logged(TempDb& db, UsherService& usher) {
  auto in = std::make_shared<std::promise<void>>();
  usher.after_logged([in] { in->set_value(); });
  in->get_future().get();
  return db.attempts().size();
}

}  // namespace

TEST_CASE("a refusal is repeated from memory, each one logged; a grant always reads the store") {
  TempDb db;
  db.add_ticket(1);
  Clock clock;
  clock.set(kNow);
  Hooks hooks(db.path, clock);
  UsherService& usher = hooks.usher;

  CHECK(decided(usher, viewer()).allowed);  // the one use
  CHECK(decided(usher, viewer()).reason == "Exceeded max views");  // read from the store
  // Behind the server's back (as the admin subcommand or another instance
  // would): refusals keep coming from what the refusal read, for the window...
  REQUIRE(db.store->delete_ticket(kDemo, kKey));
  for (int i = 0; i < 20; ++i) {
    UsherDecision d = decided(usher, viewer("pw", "10.0.1." + std::to_string(i)));
    CHECK(d.reason == "Exceeded max views");
    CHECK(d.cdn_id == kDemo);
  }
  CHECK(decided(usher, viewer("wrong")).reason == "Invalid Auth Token");  // the rules still run
  CHECK(logged(db, usher) == 23);  // every refusal has its row
  // ...and a change made through this process's APIs is seen at once.
  usher.tickets_changed();
  UsherDecision gone = decided(usher, viewer());
  CHECK(gone.reason == "Invalid Auth Token");
  CHECK(gone.cdn_id == 0);  // read afresh: no ticket has the key now

  // A remembered unknown key never grants a ticket created since: the rules
  // refuse without a ticket, and a change through the API forgets the memory.
  db.add_ticket(1);
  usher.tickets_changed();
  CHECK(decided(usher, viewer()).allowed);
  CHECK(db.ticket().uses == 0);
}

TEST_CASE("remembered refusals expire with the window: changes made elsewhere show within it") {
  TempDb db;
  db.add_ticket(5);
  Clock clock;
  clock.set(kNow);
  Hooks hooks(db.path, clock);
  Ticket t = db.ticket();
  t.active = false;
  REQUIRE(db.store->update_ticket(t));
  CHECK(decided(hooks.usher, viewer()).reason == "Token Revoked");
  t.active = true;
  REQUIRE(db.store->update_ticket(t));  // elsewhere: no tickets_changed()
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the one-second window
  CHECK(decided(hooks.usher, viewer()).allowed);
}

TEST_CASE("a disabled account's refusal is never repeated from memory: enable shows at once") {
  TempDb db;
  db.add_ticket(5);
  Clock clock;
  clock.set(kNow);
  Hooks hooks(db.path, clock);
  REQUIRE(db.store->set_account_active(kDemo, false));
  CHECK(decided(hooks.usher, viewer()).reason == "Account Disabled");
  REQUIRE(db.store->set_account_active(kDemo, true));  // the admin subcommand, behind its back
  CHECK(decided(hooks.usher, viewer()).allowed);
}

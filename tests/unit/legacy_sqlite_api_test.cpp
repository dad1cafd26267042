// LegacyApi over the real SQLite store: the ticket lifecycle and account
// isolation as the server runs them (legacy_api_test covers every code over an
// in-memory store).
#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/datetime.hpp"
#include "legacy/legacy_api.hpp"
#include "signed_request.hpp"
#include "store/group_commit.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"

using namespace sevu;

namespace {

struct TempDb {
  std::string dir;
  TempDb() {
    char tmpl[] = "/tmp/sevu-legacy-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }
  ~TempDb() { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string path() const { return dir + "/sevu.db"; }
};

const Account kDemo{158, "demo", "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE",
                    "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f"};
const Account kOther{1001, "other", "OTHERKEY0000000000000000000000AB",
                     "1111111111111111111111111111111111111111111111111111111111111111"};

struct Fixture {
  TempDb db;
  std::unique_ptr<Store> store = open_sqlite_store(db.path());
  Clock clock;
  ErrorSink errors;
  LegacyApi api{clock, LegacyConfig{}, errors};

  Fixture() {
    REQUIRE(store->insert_account(kDemo));
    REQUIRE(store->insert_account(kOther));
  }

  // A signed request body; sent again, it is a new request (signed_request.hpp).
  SignedRequests sign{clock};
  std::string signed_body(const std::string& name, const std::string& fields,
                          const Account& who = kDemo) {
    return sign(name, fields, who);
  }

  // The reply without its handle_time, through the given connection.
  std::string post(const std::string& body, Store& through) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/stable/";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
    HttpResponse resp = api.handle(req, through);
    CHECK(resp.status == 200);
    return resp.body.substr(0, resp.body.find("\"handle_time\""));
  }

  rapidjson::Document command(const std::string& name, const std::string& fields,
                              const Account& who = kDemo, std::string* raw = nullptr) {
    return parse(post(signed_body(name, fields, who), *store), raw);
  }

  static rapidjson::Document parse(const std::string& without_time, std::string* raw = nullptr) {
    if (raw) *raw = without_time;
    rapidjson::Document d;
    d.Parse((without_time + "\"handle_time\":\"0\"}").c_str());
    REQUIRE(d.IsObject());
    return d;
  }
};

int code(const rapidjson::Document& d) {
  return d["code"].GetInt();
}
std::string str(const rapidjson::Value& v, const char* name) {
  return v[name].GetString();
}

}  // namespace

TEST_CASE("request, status, revoke and attempts through SQLite") {
  Fixture f;
  auto granted = f.command("sevu.request",
                           "\"app\":\"demo-origin\",\"video\":\"mystream\",\"pass\":\"pw\","
                           "\"ip\":\"auto\",\"uses\":\"5\",\"expire\":\"+1 day\"");
  REQUIRE(code(granted) == 2002);
  const std::string key = str(granted["ticket"], "key");
  CHECK(key.rfind("mystream.", 0) == 0);
  CHECK(str(granted["ticket"], "uses") == "5");
  CHECK(str(granted["ticket"], "ip") == "auto");

  auto status = f.command("sevu.status", "\"key\":\"" + key + "\"");
  REQUIRE(code(status) == 2010);
  // "+1 day" counts from the moment of creation; reading the clock again here
  // could land in the next second.
  const auto created = parse_datetime(str(granted["ticket"], "created_date"), 0);
  REQUIRE(created);
  CHECK(str(status["ticket"], "expire_date") == format_datetime(*created + 86400));
  CHECK(str(status["ticket"], "created_date") == str(granted["ticket"], "created_date"));

  for (int i = 0; i < 3; ++i) {
    Attempt a;
    a.cdn_id = 158;
    a.datetime = f.clock.now() - 100 + i;
    a.key = key;
    a.pass = "pw";
    a.ip = "10.0.0." + std::to_string(i);
    a.app = "demo-origin";
    a.video = "mystream";
    a.success = i != 1;
    a.reason = i != 1 ? "Success" : "Invalid IP Address";
    a.server = "edge1";
    f.store->insert_attempt(a);
  }
  auto attempts = f.command("sevu.attempts", "\"key\":\"" + key + "\",\"limit\":2,\"seek\":1");
  REQUIRE(code(attempts) == 2101);
  REQUIRE(attempts["attempts"].Size() == 2);
  CHECK(str(attempts["attempts"][0], "ip") == "10.0.0.1");
  CHECK(str(attempts["attempts"][0], "success") == "0");
  CHECK(str(attempts["attempts"][1], "ip") == "10.0.0.2");
  auto count = f.command("sevu.errorcount", "\"key\":\"" + key + "\",\"success\":1");
  REQUIRE(code(count) == 2110);
  CHECK(count["count"].GetInt64() == 2);

  CHECK(code(f.command("sevu.revoke", "\"key\":\"" + key + "\"")) == 2020);
  auto revoked = f.command("sevu.status", "\"key\":\"" + key + "\"");
  CHECK(str(revoked["ticket"], "active") == "0");
  CHECK(str(revoked["ticket"], "uses") == "5");
}

TEST_CASE("through SQLite, another account's ticket is indistinguishable from none") {
  Fixture f;
  auto theirs = f.command("sevu.request",
                          "\"app\":\"other-origin\",\"video\":\"v\",\"pass\":\"pw\","
                          "\"uses\":1,\"expire\":\"+1 day\"",
                          kOther);
  REQUIRE(code(theirs) == 2002);
  const std::string key = str(theirs["ticket"], "key");
  Attempt a;
  a.cdn_id = kOther.cdn_id;
  a.datetime = f.clock.now();
  a.key = key;
  a.success = true;
  a.reason = "Success";
  f.store->insert_attempt(a);
  const std::string unknown = key.substr(0, key.size() - 1) + (key.back() == '0' ? "1" : "0");
  for (const char* command :
       {"sevu.status", "sevu.revoke", "sevu.attempts", "sevu.errorlog", "sevu.errorcount"}) {
    CAPTURE(command);
    std::string a_body, b_body;
    f.command(command, "\"key\":\"" + key + "\"", kDemo, &a_body);
    f.command(command, "\"key\":\"" + unknown + "\"", kDemo, &b_body);
    CHECK(a_body == b_body);
  }
  auto still = f.command("sevu.status", "\"key\":\"" + key + "\"", kOther);
  CHECK(str(still["ticket"], "active") == "1");
}

TEST_CASE("through SQLite, a repeated write runs once, also after reopening the store") {
  Fixture f;
  const std::string request = f.signed_body(
      "sevu.request",
      "\"app\":\"demo-origin\",\"video\":\"v\",\"pass\":\"pw\",\"uses\":2,\"expire\":\"+1 day\"");
  const std::string first = f.post(request, *f.store);
  REQUIRE(code(Fixture::parse(first)) == 2002);
  CHECK(f.post(request, *f.store) == first);
  const std::string key = str(Fixture::parse(first)["ticket"], "key");

  // Writes whose commands open their own transaction join the outer one.
  const std::string add = f.signed_body(
      "sevu.addstreamuser", "\"app\":\"demo-origin\",\"stream\":\"cam\",\"user\":\"u\",\"pass\":\"p\"");
  const std::string added = f.post(add, *f.store);
  REQUIRE(code(Fixture::parse(added)) == 2071);
  const std::string revoke = f.signed_body("sevu.revoke", "\"key\":\"" + key + "\"");
  const std::string revoked = f.post(revoke, *f.store);
  REQUIRE(code(Fixture::parse(revoked)) == 2020);

  // A restart does not reopen the window: the replies live in the database.
  f.store = open_sqlite_store(f.db.path());
  CHECK(f.post(request, *f.store) == first);
  CHECK(f.post(add, *f.store) == added);
  CHECK(f.post(revoke, *f.store) == revoked);
  CHECK(f.store->tickets(158, {}).size() == 1);
  CHECK(f.store->count_stream_users(158) == 1);
}

TEST_CASE("identical writes arriving at once run once") {
  Fixture f;
  const std::string request = f.signed_body(
      "sevu.request",
      "\"app\":\"demo-origin\",\"video\":\"v\",\"pass\":\"pw\",\"uses\":2,\"expire\":\"+1 day\"");
  constexpr int kWorkers = 4;
  std::vector<std::unique_ptr<Store>> connections;  // one per worker, as the store pool has
  for (int i = 0; i < kWorkers; ++i) connections.push_back(open_sqlite_store(f.db.path()));
  std::vector<std::string> replies(kWorkers * 3);
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([&, i] {
      for (int j = 0; j < 3; ++j) {
        HttpRequest req;
        req.method = "POST";
        req.target = "/stable/";
        req.headers.emplace_back("Content-Type", "application/json");
        req.body = request;
        std::string body = f.api.handle(req, *connections[i]).body;  // no doctest off-thread
        replies[i * 3 + j] = body.substr(0, body.find("\"handle_time\""));
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(f.store->tickets(158, {}).size() == 1);
  CHECK(code(Fixture::parse(replies[0])) == 2002);
  for (const auto& r : replies) CHECK(r == replies[0]);
}

// The io thread's path (docs/performance.md, "Signed writes checked where they
// arrive"): a signed write goes straight to the group commit only once the
// account has been read, and the writer reads it again, so a secret changed
// behind the copy's back still decides.
TEST_CASE("a signed write checked against a copy of its account is checked again by the writer") {
  TempDb db;
  { open_sqlite_store(db.path())->insert_account(kDemo); }
  StorePool pool([&] { return open_sqlite_store(db.path()); }, 1, 64, 0);
  GroupCommit writes(pool, StorePool::Lane::api);
  Clock clock;
  ErrorSink errors;
  LegacyApi api{clock, LegacyConfig{}, errors, &writes};
  SignedRequests sign{clock};
  auto store = open_sqlite_store(db.path());
  const std::string ticket =
      "\"app\":\"demo-origin\",\"video\":\"v\",\"pass\":\"pw\",\"uses\":2,\"expire\":\"+1 day\"";
  auto request = [](const std::string& body) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/stable/";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
    return req;
  };
  auto code_of = [](const std::string& reply) {
    return code(Fixture::parse(reply.substr(0, reply.find("\"handle_time\""))));
  };
  // The code of the answer, once it comes; -1 when the io thread's path declined.
  auto on_io = [&](const std::string& body) {
    auto answer = std::make_shared<std::promise<std::string>>();
    if (!api.write_without_store_hop(
            request(body), [answer](HttpResponse r) { answer->set_value(std::move(r.body)); })) {
      return -1;
    }
    return code_of(answer->get_future().get());
  };
  auto on_worker = [&](const std::string& body) {
    auto answer = std::make_shared<std::promise<std::string>>();
    api.handle(request(body), *store, [answer](HttpResponse r) { answer->set_value(r.body); });
    return code_of(answer->get_future().get());
  };

  // No copy yet: declined, then decided on a worker, which keeps one.
  CHECK(on_io(sign("sevu.request", ticket, kDemo)) == -1);
  CHECK(on_worker(sign("sevu.request", ticket, kDemo)) == 2002);
  CHECK(on_io(sign("sevu.request", ticket, kDemo)) == 2002);
  // Reads, and writes with a slow preparation, never take this path.
  CHECK(on_io(sign("sevu.status", "\"key\":\"k\"", kDemo)) == -1);
  CHECK(on_io(sign("sevu.addstreamuser",
                   "\"app\":\"demo-origin\",\"stream\":\"s\",\"user\":\"u\",\"pass\":\"p\"",
                   kDemo)) == -1);

  // The secret changes behind the copy's back (another process).
  Account rotated = kDemo;
  rotated.secret = std::string(64, 'a');
  REQUIRE(store->set_account_secret(kDemo.cdn_id, rotated.secret));
  CHECK(on_io(sign("sevu.request", ticket, kDemo)) == 3);  // passed the copy, refused by the writer
  CHECK(on_io(sign("sevu.request", ticket, rotated)) == 2002);  // the writer refreshed the copy
  CHECK(on_io(sign("sevu.request", ticket, kDemo)) == -1);
  REQUIRE(store->set_account_active(kDemo.cdn_id, false));
  CHECK(on_io(sign("sevu.request", ticket, rotated)) == 5);
  CHECK(on_io(sign("sevu.request", ticket, rotated)) == -1);  // the copy is disabled now
  CHECK(store->tickets(158, {}).size() == 3);
  writes.write_waiting();
}

// Shared by the v2_*_test files: a real SQLite store in a temporary directory,
// two accounts, and V2Api::handle called with constructed requests.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "auth/crypto.hpp"
#include "core/clock.hpp"
#include "core/datetime.hpp"
#include "core/http_message.hpp"
#include "store/store.hpp"
#include "v2/v2_api.hpp"

namespace v2test {

using namespace sevu;

inline const std::string kDemoSecret =
    "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f";
inline const std::string kOtherSecret =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
inline constexpr int64_t kDemoCdn = 158;
inline constexpr int64_t kOtherCdn = 2001;

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  rapidjson::Document json;

  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return "";
  }
  // For error replies: the "error" member.
  std::string error() const {
    return json.IsObject() && json.HasMember("error") && json["error"].IsString()
               ? json["error"].GetString()
               : "";
  }
  std::string field() const {
    return json.IsObject() && json.HasMember("field") && json["field"].IsString()
               ? json["field"].GetString()
               : "";
  }
  std::string str(const char* member) const {
    REQUIRE(json.IsObject());
    REQUIRE(json.HasMember(member));
    REQUIRE(json[member].IsString());
    return json[member].GetString();
  }
};

inline std::string basic(int64_t cdn, const std::string& secret) {
  return "Basic " + base64_encode(std::to_string(cdn) + ":" + secret);
}

class Fixture {
 public:
  Fixture() {
    char tmpl[] = "/tmp/sevu-v2-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    store = open_sqlite_store(dir_ + "/sevu.db");
    // Frozen, so tests may compare exact dates with "now".
    clock.freeze(*parse_datetime("2030-06-01 12:00:00", 0));
    REQUIRE(store->insert_account(account(kDemoCdn, "demo", kDemoSecret)));
    REQUIRE(store->insert_account(account(kOtherCdn, "other", kOtherSecret)));
  }
  ~Fixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static Account account(int64_t cdn, const std::string& name, const std::string& secret) {
    Account a;
    a.cdn_id = cdn;
    a.username = name;
    a.api_key = std::string(32, 'A');
    a.api_key[0] = static_cast<char>('A' + cdn % 26);
    a.secret = secret;
    return a;
  }

  // A request as the demo account unless auth says otherwise ("" = no header).
  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& auth = basic(kDemoCdn, kDemoSecret),
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote_ip = "127.0.0.1";
    if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
    for (const auto& h : headers) req.headers.push_back(h);
    HttpResponse res = api.handle(req, *store);
    Reply r;
    r.status = res.status;
    r.headers = res.headers;
    r.body = res.body;
    if (!res.body.empty()) {
      r.json.Parse<rapidjson::kParseValidateEncodingFlag>(res.body.data(), res.body.size());
      INFO("reply body: " << res.body);
      REQUIRE_FALSE(r.json.HasParseError());
      CHECK(res.content_type == "application/json");
    }
    return r;
  }

  Reply as_other(const std::string& method, const std::string& target,
                 const std::string& body = "") {
    return call(method, target, body, basic(kOtherCdn, kOtherSecret));
  }

  // Creates a demo ticket through PUT and returns its key.
  std::string create(const std::string& body) {
    Reply r = call("PUT", "/v2/sevu_token", body);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.str("key");
  }
  std::string create_simple(const std::string& video = "mystream", int uses = 5) {
    return create(R"({"pass":"pw","video":")" + video + R"(","app":"demo-origin","uses":)" +
                  std::to_string(uses) + "}");
  }

  Attempt attempt(int64_t cdn, const std::string& key, const std::string& when, bool success,
                  const std::string& reason) {
    Attempt a;
    a.cdn_id = cdn;
    a.key = key;
    a.datetime = *parse_datetime(when, 0);
    a.pass = "pw";
    a.ip = "10.0.0.1";
    a.video = "mystream";
    a.app = "demo-origin";
    a.appinst = "_definst_";
    a.pageurl = "https://example.com/page";
    a.refurl = "https://example.com/";
    a.success = success;
    a.reason = reason;
    a.server = "SER1-1";
    a.id = store->insert_attempt(a);
    return a;
  }

  Clock clock;
  std::unique_ptr<Store> store;
  ErrorSink errors;
  V2Api api{clock, errors};

 private:
  std::string dir_;
};

}  // namespace v2test

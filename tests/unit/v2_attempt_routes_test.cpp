// GET /v2/sevu_token/{key}/sevu_attempt and GET /v2/sevu_attempt/{key}.
#include "v2_fixture.hpp"

using namespace v2test;

namespace {

const char* const kAttemptFields[] = {"id",      "datetime", "key",      "pass",    "ip",
                                      "video",   "app",      "appinst",  "pageurl", "refurl",
                                      "success", "reason",   "server_ip"};

void check_attempt_shape(const rapidjson::Value& o) {
  REQUIRE(o.IsObject());
  REQUIRE(o.MemberCount() == 13);
  std::size_t i = 0;
  for (auto m = o.MemberBegin(); m != o.MemberEnd(); ++m, ++i)
    CHECK(std::string(m->name.GetString()) == kAttemptFields[i]);
  CHECK(o["id"].IsInt64());
  CHECK(o["success"].IsBool());
  for (const char* f : {"datetime", "key", "pass", "ip", "video", "app", "appinst", "pageurl",
                        "refurl", "reason", "server_ip"})
    CHECK_MESSAGE(o[f].IsString(), f);
}

}  // namespace

TEST_CASE("a ticket's attempts, oldest first, scoped to the account") {
  Fixture fx;
  const std::string key = fx.create_simple();
  Attempt later = fx.attempt(kDemoCdn, key, "2030-06-01 10:00:09", false, "Invalid IP Address");
  Attempt first = fx.attempt(kDemoCdn, key, "2030-06-01 10:00:01", true, "Success");
  fx.attempt(kDemoCdn, key, "2030-06-01 10:00:05", false, "Wrong Application");
  fx.attempt(kDemoCdn, "another.key.1", "2030-06-01 10:00:00", true, "Success");
  fx.attempt(kOtherCdn, key, "2030-06-01 10:00:00", true, "Success");  // not the demo's row

  for (const std::string& path :
       {"/v2/sevu_token/" + key + "/sevu_attempt", "/v2/sevu_attempt/" + key}) {
    CAPTURE(path);
    Reply r = fx.call("GET", path);
    REQUIRE(r.status == 200);
    REQUIRE(r.json.IsArray());
    REQUIRE(r.json.Size() == 3);
    for (const auto& o : r.json.GetArray()) check_attempt_shape(o);
    const auto& a0 = r.json[0];
    CHECK(a0["id"].GetInt64() == first.id);
    CHECK(std::string(a0["datetime"].GetString()) == "2030-06-01 10:00:01");
    CHECK(std::string(a0["key"].GetString()) == key);
    CHECK(std::string(a0["pass"].GetString()) == "pw");
    CHECK(std::string(a0["ip"].GetString()) == "10.0.0.1");
    CHECK(std::string(a0["video"].GetString()) == "mystream");
    CHECK(std::string(a0["app"].GetString()) == "demo-origin");
    CHECK(std::string(a0["appinst"].GetString()) == "_definst_");
    CHECK(std::string(a0["pageurl"].GetString()) == "https://example.com/page");
    CHECK(std::string(a0["refurl"].GetString()) == "https://example.com/");
    CHECK(a0["success"].GetBool());
    CHECK(std::string(a0["reason"].GetString()) == "Success");
    CHECK(std::string(a0["server_ip"].GetString()) == "SER1-1");
    CHECK(r.json[2]["id"].GetInt64() == later.id);
    CHECK_FALSE(r.json[2]["success"].GetBool());

    Reply page = fx.call("GET", path + "?limit=1&offset=1");
    REQUIRE(page.json.Size() == 1);
    CHECK(std::string(page.json[0]["reason"].GetString()) == "Wrong Application");

    Reply bad = fx.call("GET", path + "?limit=2000");
    CHECK(bad.status == 400);
    CHECK(bad.error() == "INVALID_VALUE");
    CHECK(bad.field() == "limit");
    Reply unknown = fx.call("GET", path + "?success=1");
    CHECK(unknown.status == 400);
    CHECK(unknown.error() == "UNKNOWN_FIELD");
  }
  // The other account sees its own row only through the key-based log.
  Reply theirs = fx.as_other("GET", "/v2/sevu_attempt/" + key);
  REQUIRE(theirs.json.Size() == 1);
  CHECK(fx.as_other("GET", "/v2/sevu_token/" + key + "/sevu_attempt").status == 404);
}

TEST_CASE("the child route needs the ticket; the key log outlives it") {
  Fixture fx;
  const std::string key = fx.create_simple();
  fx.attempt(kDemoCdn, key, "2030-06-01 10:00:01", true, "Success");
  Reply missing = fx.call("GET", "/v2/sevu_token/no.such.key/sevu_attempt");
  CHECK(missing.status == 404);
  CHECK(missing.error() == "NOT_FOUND");
  CHECK(fx.call("GET", "/v2/sevu_attempt/no.such.key").body == "[]");

  REQUIRE(fx.call("DELETE", "/v2/sevu_token/" + key).status == 204);
  CHECK(fx.call("GET", "/v2/sevu_token/" + key + "/sevu_attempt").status == 404);
  Reply log = fx.call("GET", "/v2/sevu_attempt/" + key);
  REQUIRE(log.status == 200);
  CHECK(log.json.Size() == 1);
}

TEST_CASE("stored text that is not UTF-8 is still written as valid JSON") {
  Fixture fx;
  const std::string key = fx.create_simple();
  Attempt a = fx.attempt(kDemoCdn, key, "2030-06-01 10:00:01", false, "Invalid Auth Token");
  a.pageurl = "http://x/\xff\xfe";
  a.id = 0;
  fx.store->insert_attempt(a);
  Reply r = fx.call("GET", "/v2/sevu_attempt/" + key);  // Fixture REQUIREs the body parses
  REQUIRE(r.json.Size() == 2);
  CHECK(std::string(r.json[1]["pageurl"].GetString()) == "http://x/\xEF\xBF\xBD\xEF\xBF\xBD");
}

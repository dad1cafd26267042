// PUT/GET/POST/DELETE on sevu_token through V2Api::handle against a real store.
#include <regex>

#include "v2_fixture.hpp"

using namespace v2test;

namespace {

const std::string kSpecBody = R"({
    "pass": "user123|randomdata",
    "ip": "auto/24|auto/24",
    "video": "my_video.mp4|my_folder/*",
    "app": "demo-*",
    "uses": 999,
    "active": true,
    "expire_date": "2019-12-24 23:59:59"
})";

const char* const kFieldOrder[] = {"id",     "cdn_id",       "key",         "pass",
                                   "ip",     "video",        "app",         "uses",
                                   "active", "created_date", "expire_date", "used_date"};

// The twelve fields in the spec's order with the spec's JSON types.
void check_ticket_shape(const rapidjson::Value& o, bool with_children = false) {
  REQUIRE(o.IsObject());
  REQUIRE(o.MemberCount() == (with_children ? 13u : 12u));
  std::size_t i = 0;
  for (auto m = o.MemberBegin(); m != o.MemberEnd() && i < 12; ++m, ++i)
    CHECK(std::string(m->name.GetString()) == kFieldOrder[i]);
  CHECK(o["id"].IsInt64());
  CHECK(o["cdn_id"].IsString());
  for (const char* s :
       {"key", "pass", "ip", "video", "app", "created_date", "expire_date", "used_date"})
    CHECK_MESSAGE(o[s].IsString(), s);
  CHECK(o["uses"].IsInt64());
  CHECK(o["active"].IsBool());
  if (with_children) CHECK(o["sevu_attempt"].IsArray());
}

std::string s(const rapidjson::Value& o, const char* m) {
  return o[m].GetString();
}

}  // namespace

TEST_CASE("PUT creates a ticket from the spec's example body") {
  Fixture fx;
  const std::string now = format_datetime(fx.clock.now());
  Reply r = fx.call("PUT", "/v2/sevu_token", kSpecBody);
  REQUIRE(r.status == 201);
  check_ticket_shape(r.json);
  CHECK(s(r.json, "cdn_id") == "158");
  CHECK(std::regex_match(s(r.json, "key"),
                         std::regex(R"(my_video_mp4_my_folder__\.[0-9a-f]{14}\.[0-9]{8})")));
  CHECK(s(r.json, "pass") == "user123|randomdata");
  CHECK(s(r.json, "ip") == "auto/24|auto/24");
  CHECK(s(r.json, "video") == "my_video.mp4|my_folder/*");
  CHECK(s(r.json, "app") == "demo-*");
  CHECK(r.json["uses"].GetInt64() == 999);
  CHECK(r.json["active"].GetBool());
  CHECK(s(r.json, "expire_date") == "2019-12-24 23:59:59");
  CHECK(s(r.json, "used_date") == "0000-00-00 00:00:00");
  const std::string created = s(r.json, "created_date");
  CHECK((created == now || created == format_datetime(fx.clock.now())));
  CHECK(r.header("Location") == "/v2/sevu_token/" + s(r.json, "key"));

  // The same row the legacy API and the usher read.
  auto t = fx.store->ticket(kDemoCdn, s(r.json, "key"));
  REQUIRE(t);
  CHECK(t->id == r.json["id"].GetInt64());
  CHECK(t->pass == "user123|randomdata");
  CHECK(t->uses == 999);
  CHECK(t->ip == "auto/24|auto/24");
  CHECK(format_datetime(t->expires) == "2019-12-24 23:59:59");
}

TEST_CASE("PUT applies the defaults") {
  Fixture fx;
  const int64_t now = fx.clock.now();
  Reply r = fx.call("PUT", "/v2/sevu_token",
                    R"({"pass":"p","video":"foo*","app":"demo-origin","uses":3})");
  REQUIRE(r.status == 201);
  CHECK(s(r.json, "ip") == "");
  CHECK(r.json["active"].GetBool());
  const std::string expires = s(r.json, "expire_date");
  CHECK((expires == format_datetime(now + 7 * 86400) ||
         expires == format_datetime(now + 7 * 86400 + 1)));
  CHECK(s(r.json, "key").rfind("foo_.", 0) == 0);
}

TEST_CASE("PUT errors") {
  Fixture fx;
  struct Case {
    std::string body;
    int status;
    const char* error;
    const char* field;
  };
  const std::string base = R"("pass":"p","video":"v","app":"demo-a","uses":1)";
  const std::vector<Case> cases = {
      {"{" + base + R"(,"id":1})", 403, "ACCESS_VIOLATION", "id"},
      {"{" + base + R"(,"cdn_id":"158"})", 403, "ACCESS_VIOLATION", "cdn_id"},
      {"{" + base + R"(,"key":"x"})", 403, "ACCESS_VIOLATION", "key"},
      {"{" + base + R"(,"created_date":"2020-01-01 00:00:00"})", 403, "ACCESS_VIOLATION",
       "created_date"},
      {"{" + base + R"(,"used_date":"2020-01-01 00:00:00"})", 403, "ACCESS_VIOLATION", "used_date"},
      {R"({"video":"v","app":"demo-a","uses":1})", 400, "REQUIRED_FIELD", "pass"},
      {R"({"pass":"p","app":"demo-a","uses":1})", 400, "REQUIRED_FIELD", "video"},
      {R"({"pass":"p","video":"v","uses":1})", 400, "REQUIRED_FIELD", "app"},
      {R"({"pass":"p","video":"v","app":"demo-a"})", 400, "REQUIRED_FIELD", "uses"},
      {R"({"pass":"p","video":"v","app":"demo-a","uses":"1"})", 400, "TYPE_MISMATCH", "uses"},
      {R"({"pass":1,"video":"v","app":"demo-a","uses":1})", 400, "TYPE_MISMATCH", "pass"},
      {"{" + base + R"(,"active":"true"})", 400, "TYPE_MISMATCH", "active"},
      {"{" + base + R"(,"expire_date":1.5})", 400, "TYPE_MISMATCH", "expire_date"},
      {R"({"pass":"p","video":"v","app":"demo-a","uses":0})", 400, "INVALID_VALUE", "uses"},
      {"{" + base + R"(,"expire_date":"soon"})", 400, "INVALID_VALUE", "expire_date"},
      {R"({"pass":"p","video":"v","app":"username-*","uses":1})", 400, "APP_INVALID", "app"},
      {R"({"pass":"p","video":"v","app":"demo-a|other-*","uses":1})", 400, "APP_INVALID", "app"},
      {"{" + base + R"(,"bogus":1})", 400, "UNKNOWN_FIELD", "bogus"},
      {"{" + base + R"(,"option:children":"x"})", 400, "INVALID_VALUE", "option:children"},
      {"", 400, "INVALID_JSON", ""},
      {"{\"pass\":", 400, "INVALID_JSON", ""},
      {"[]", 400, "INVALID_JSON", ""},
      {"{" + base + R"(,"uses":2})", 400, "INVALID_JSON", "uses"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    Reply r = fx.call("PUT", "/v2/sevu_token", c.body);
    CHECK(r.status == c.status);
    CHECK(r.error() == c.error);
    CHECK(r.field() == c.field);
    CHECK_FALSE(r.str("message").empty());
  }
  // The other account's username is not the demo's prefix, and vice versa.
  Reply other = fx.as_other("PUT", "/v2/sevu_token", "{" + base + "}");
  CHECK(other.error() == "APP_INVALID");
  CHECK(fx.store->tickets(kDemoCdn, {}).empty());
}

TEST_CASE("PUT content types: JSON-ish accepted, clearly non-JSON refused with 415") {
  Fixture fx;
  const std::string body = R"({"pass":"p","video":"v","app":"demo-a","uses":1})";
  for (const char* ok : {"application/json", "application/json; charset=utf-8",
                         "application/x-www-form-urlencoded", "text/plain"}) {
    CAPTURE(ok);
    CHECK(
        fx.call("PUT", "/v2/sevu_token", body, basic(kDemoCdn, kDemoSecret), {{"Content-Type", ok}})
            .status == 201);
  }
  CHECK(fx.call("PUT", "/v2/sevu_token", body).status == 201);  // no Content-Type at all
  for (const char* bad : {"multipart/form-data; boundary=abc", "text/html", "application/xml"}) {
    CAPTURE(bad);
    Reply r = fx.call("PUT", "/v2/sevu_token", body, basic(kDemoCdn, kDemoSecret),
                      {{"Content-Type", bad}});
    CHECK(r.status == 415);
    CHECK(r.error() == "UNSUPPORTED_MEDIA_TYPE");
  }
}

TEST_CASE("PUT with option:children embeds an empty attempt list") {
  Fixture fx;
  const std::string body = R"({"pass":"p","video":"v","app":"demo-a","uses":1)";
  Reply in_body = fx.call("PUT", "/v2/sevu_token", body + R"(,"option:children":"sevu_attempt"})");
  REQUIRE(in_body.status == 201);
  check_ticket_shape(in_body.json, true);
  CHECK(in_body.json["sevu_attempt"].Size() == 0);
  Reply in_query = fx.call("PUT", "/v2/sevu_token?option:children=sevu_attempt", body + "}");
  REQUIRE(in_query.status == 201);
  check_ticket_shape(in_query.json, true);
  Reply unknown_param = fx.call("PUT", "/v2/sevu_token?x=1", body + "}");
  CHECK(unknown_param.status == 400);
  CHECK(unknown_param.error() == "UNKNOWN_FIELD");
  CHECK(unknown_param.field() == "x");
}

TEST_CASE("GET returns the object; other accounts' and unknown keys are the same 404") {
  Fixture fx;
  Reply created = fx.call("PUT", "/v2/sevu_token", kSpecBody);
  REQUIRE(created.status == 201);
  const std::string key = s(created.json, "key");

  Reply got = fx.call("GET", "/v2/sevu_token/" + key);
  REQUIRE(got.status == 200);
  check_ticket_shape(got.json);
  CHECK(got.body == created.body);

  // Percent-encoded path segments decode to the same key.
  std::string encoded = key;
  encoded.replace(encoded.find('.'), 1, "%2E");
  CHECK(fx.call("GET", "/v2/sevu_token/" + encoded).body == created.body);

  Reply missing = fx.call("GET", "/v2/sevu_token/no.such.key");
  Reply foreign = fx.as_other("GET", "/v2/sevu_token/" + key);
  CHECK(missing.status == 404);
  CHECK(missing.error() == "NOT_FOUND");
  CHECK(foreign.status == 404);
  CHECK(foreign.body == missing.body);

  Reply bad_param = fx.call("GET", "/v2/sevu_token/" + key + "?limit=5");
  CHECK(bad_param.status == 400);
  CHECK(bad_param.error() == "UNKNOWN_FIELD");
  CHECK(bad_param.field() == "limit");
}

TEST_CASE("GET with option:children embeds attempts, oldest first") {
  Fixture fx;
  const std::string key = fx.create_simple();
  fx.attempt(kDemoCdn, key, "2030-06-01 10:00:02", false, "Invalid IP Address");
  fx.attempt(kDemoCdn, key, "2030-06-01 10:00:01", true, "Success");
  fx.attempt(kDemoCdn, "someone.else.key", "2030-06-01 10:00:00", true, "Success");

  Reply plain = fx.call("GET", "/v2/sevu_token/" + key);
  CHECK_FALSE(plain.json.HasMember("sevu_attempt"));
  Reply none = fx.call("GET", "/v2/sevu_token/" + key + "?option:children=none");
  CHECK_FALSE(none.json.HasMember("sevu_attempt"));

  for (const std::string& target : {"/v2/sevu_token/" + key + "?option:children=sevu_attempt",
                                    "/v2/sevu_token/" + key + "?option%3Achildren=sevu_attempt"}) {
    Reply r = fx.call("GET", target);
    REQUIRE(r.status == 200);
    check_ticket_shape(r.json, true);
    const auto& list = r.json["sevu_attempt"];
    REQUIRE(list.Size() == 2);
    CHECK(s(list[0], "datetime") == "2030-06-01 10:00:01");
    CHECK(list[0]["success"].GetBool());
    CHECK(s(list[1], "reason") == "Invalid IP Address");
    CHECK_FALSE(list[1]["success"].GetBool());
  }

  Reply body = fx.call("GET", "/v2/sevu_token/" + key, R"({"option:children":"sevu_attempt"})");
  REQUIRE(body.status == 200);
  CHECK(body.json["sevu_attempt"].Size() == 2);
  Reply bad_body = fx.call("GET", "/v2/sevu_token/" + key, R"({"uses":1})");
  CHECK(bad_body.status == 400);
  CHECK(bad_body.error() == "UNKNOWN_FIELD");
  Reply bad_value = fx.call("GET", "/v2/sevu_token/" + key + "?option:children=all");
  CHECK(bad_value.status == 400);
  CHECK(bad_value.error() == "INVALID_VALUE");
  CHECK(bad_value.field() == "option:children");
}

TEST_CASE("POST updates the Normal fields only") {
  Fixture fx;
  const std::string key = fx.create_simple("mystream", 7);
  Reply r = fx.call("POST", "/v2/sevu_token/" + key,
                    R"({"active": false, "expire_date": "2031-01-02 03:04:05"})");
  REQUIRE(r.status == 200);
  check_ticket_shape(r.json);
  CHECK_FALSE(r.json["active"].GetBool());
  CHECK(s(r.json, "expire_date") == "2031-01-02 03:04:05");
  CHECK(r.json["uses"].GetInt64() == 7);

  Reply got = fx.call("GET", "/v2/sevu_token/" + key);
  CHECK(got.body == r.body);
  auto stored = fx.store->ticket(kDemoCdn, key);
  REQUIRE(stored);
  CHECK_FALSE(stored->active);

  Reply back = fx.call("POST", "/v2/sevu_token/" + key, R"({"active": 1})");
  CHECK(back.json["active"].GetBool());
  Reply same = fx.call("POST", "/v2/sevu_token/" + key, "{}");
  CHECK(same.status == 200);
  CHECK(same.body == back.body);
  const int64_t before = fx.clock.now();
  Reply rel = fx.call("POST", "/v2/sevu_token/" + key, R"({"expire_date": "+1 day"})");
  const int64_t after = fx.clock.now();
  // The clock may cross a second while the call runs.
  const std::string expire = s(rel.json, "expire_date");
  CHECK((expire == format_datetime(before + 86400) || expire == format_datetime(after + 86400)));

  Reply children = fx.call("POST", "/v2/sevu_token/" + key,
                           R"({"active": true, "option:children": "sevu_attempt"})");
  check_ticket_shape(children.json, true);
}

TEST_CASE("POST errors") {
  Fixture fx;
  const std::string key = fx.create_simple();
  const std::string path = "/v2/sevu_token/" + key;
  for (const char* f : {"pass", "ip", "video", "app"}) {
    Reply r = fx.call("POST", path, std::string(R"({")") + f + R"(": "x"})");
    CHECK(r.status == 403);
    CHECK(r.error() == "ACCESS_VIOLATION");
    CHECK(r.field() == f);
  }
  struct Case {
    const char* body;
    int status;
    const char* error;
    const char* field;
  };
  for (const Case& c :
       {Case{R"({"uses": 10})", 403, "ACCESS_VIOLATION", "uses"},
        Case{R"({"id": 1})", 403, "ACCESS_VIOLATION", "id"},
        Case{R"({"cdn_id": "158"})", 403, "ACCESS_VIOLATION", "cdn_id"},
        Case{R"({"key": "x"})", 403, "ACCESS_VIOLATION", "key"},
        Case{R"({"created_date": "2020-01-01"})", 403, "ACCESS_VIOLATION", "created_date"},
        Case{R"({"used_date": "2020-01-01"})", 403, "ACCESS_VIOLATION", "used_date"},
        Case{R"({"active": "no"})", 400, "TYPE_MISMATCH", "active"},
        Case{R"({"active": 5})", 400, "INVALID_VALUE", "active"},
        Case{R"({"expire_date": "whenever"})", 400, "INVALID_VALUE", "expire_date"},
        Case{R"({"nope": 1})", 400, "UNKNOWN_FIELD", "nope"}, Case{"", 400, "INVALID_JSON", ""},
        Case{"{,}", 400, "INVALID_JSON", ""}}) {
    CAPTURE(c.body);
    Reply r = fx.call("POST", path, c.body);
    CHECK(r.status == c.status);
    CHECK(r.error() == c.error);
    CHECK(r.field() == c.field);
  }
  Reply html = fx.call("POST", path, R"({"active":true})", basic(kDemoCdn, kDemoSecret),
                       {{"Content-Type", "text/html"}});
  CHECK(html.status == 415);
  // Nothing above changed the ticket.
  auto t = fx.store->ticket(kDemoCdn, key);
  REQUIRE(t);
  CHECK(t->active);
  CHECK(t->uses == 5);

  Reply missing = fx.call("POST", "/v2/sevu_token/no.such.key", R"({"active": false})");
  Reply foreign = fx.as_other("POST", path, R"({"active": false})");
  CHECK(missing.status == 404);
  CHECK(foreign.status == 404);
  CHECK(foreign.body == missing.body);
  CHECK(fx.store->ticket(kDemoCdn, key)->active);
}

TEST_CASE("DELETE removes the ticket and answers 204 without a body") {
  Fixture fx;
  const std::string key = fx.create_simple();
  const std::string keep = fx.create_simple("other");
  Reply foreign = fx.as_other("DELETE", "/v2/sevu_token/" + key);
  Reply missing = fx.call("DELETE", "/v2/sevu_token/no.such.key");
  CHECK(foreign.status == 404);
  CHECK(foreign.body == missing.body);
  CHECK(fx.store->ticket(kDemoCdn, key));

  Reply param = fx.call("DELETE", "/v2/sevu_token/" + key + "?force=1");
  CHECK(param.status == 400);
  CHECK(param.error() == "UNKNOWN_FIELD");

  HttpRequest req;
  req.method = "DELETE";
  req.target = "/v2/sevu_token/" + key;
  req.headers.emplace_back("Authorization", basic(kDemoCdn, kDemoSecret));
  HttpResponse res = fx.api.handle(req, *fx.store);
  CHECK(res.status == 204);
  CHECK(res.body.empty());
  CHECK_FALSE(fx.store->ticket(kDemoCdn, key));
  CHECK(fx.store->ticket(kDemoCdn, keep));
  CHECK(fx.call("GET", "/v2/sevu_token/" + key).status == 404);
  CHECK(fx.call("DELETE", "/v2/sevu_token/" + key).status == 404);
}

TEST_CASE("tickets written by the store (legacy path) read back through v2") {
  Fixture fx;
  Ticket t;
  t.cdn_id = kDemoCdn;
  t.key = "legacy.0123456789abcd.12345678";
  t.pass = "lp";
  t.video = "vid";
  t.app = "demo-origin";
  t.uses = 2;
  t.created = *parse_datetime("2030-01-01 00:00:00", 0);
  t.expires = *parse_datetime("2030-02-01 00:00:00", 0);
  t.used = *parse_datetime("2030-01-15 08:00:00", 0);
  REQUIRE(fx.store->insert_ticket(t));
  Reply r = fx.call("GET", "/v2/sevu_token/" + t.key);
  REQUIRE(r.status == 200);
  check_ticket_shape(r.json);
  CHECK(r.json["id"].GetInt64() == t.id);
  CHECK(s(r.json, "used_date") == "2030-01-15 08:00:00");
  CHECK(s(r.json, "created_date") == "2030-01-01 00:00:00");
  CHECK(r.json["uses"].GetInt64() == 2);
}

// GET /v2/sevu_token: account scoping, filters, paging, children.
#include <set>

#include "v2_fixture.hpp"

using namespace v2test;

namespace {

std::set<std::string> keys_of(const Reply& r) {
  std::set<std::string> out;
  REQUIRE(r.json.IsArray());
  for (const auto& o : r.json.GetArray()) out.insert(o["key"].GetString());
  return out;
}

std::set<std::string> list(Fixture& fx, const std::string& query) {
  Reply r = fx.call("GET", "/v2/sevu_token" + query);
  INFO(query << " -> " << r.body);
  REQUIRE(r.status == 200);
  return keys_of(r);
}

void check_error(Fixture& fx, const std::string& query, const char* error, const char* field) {
  CAPTURE(query);
  Reply r = fx.call("GET", "/v2/sevu_token" + query);
  CHECK(r.status == 400);
  CHECK(r.error() == error);
  CHECK(r.field() == field);
}

}  // namespace

TEST_CASE("the list is a bare array of the caller's own tickets") {
  Fixture fx;
  Reply empty = fx.call("GET", "/v2/sevu_token");
  REQUIRE(empty.status == 200);
  CHECK(empty.body == "[]");
  const std::string a = fx.create_simple("alpha", 1);
  const std::string b = fx.create_simple("beta", 2);
  Reply foreign = fx.as_other("PUT", "/v2/sevu_token",
                              R"({"pass":"p","video":"gamma","app":"other-x","uses":1})");
  REQUIRE(foreign.status == 201);
  CHECK(list(fx, "") == std::set<std::string>{a, b});
  Reply theirs = fx.as_other("GET", "/v2/sevu_token");
  CHECK(keys_of(theirs) == std::set<std::string>{foreign.str("key")});
  Reply all = fx.call("GET", "/v2/sevu_token");
  REQUIRE(all.json.Size() == 2);
  for (const auto& o : all.json.GetArray()) {
    CHECK(o.MemberCount() == 12);
    CHECK(std::string(o["cdn_id"].GetString()) == "158");
  }
}

TEST_CASE("filters on plain fields") {
  Fixture fx;
  const std::string a =
      fx.create(R"({"pass":"pa","ip":"1.2.3.4","video":"alpha","app":"demo-one","uses":1})");
  const std::string b =
      fx.create(R"({"pass":"pb","video":"beta gamma","app":"demo-*","uses":2,"active":false})");
  const std::string c = fx.create(R"({"pass":"pa","video":"alpha","app":"demo-one","uses":2})");
  const int64_t id_b = fx.store->ticket(kDemoCdn, b)->id;

  CHECK(list(fx, "?video=alpha") == std::set<std::string>{a, c});
  CHECK(list(fx, "?pass=pa&uses=2") == std::set<std::string>{c});
  CHECK(list(fx, "?ip=1.2.3.4") == std::set<std::string>{a});
  CHECK(list(fx, "?ip=") == std::set<std::string>{b, c});
  CHECK(list(fx, "?app=demo-%2A") == std::set<std::string>{b});
  CHECK(list(fx, "?video=beta+gamma") == std::set<std::string>{b});
  CHECK(list(fx, "?video=beta%20gamma") == std::set<std::string>{b});
  CHECK(list(fx, "?key=" + a) == std::set<std::string>{a});
  CHECK(list(fx, "?id=" + std::to_string(id_b)) == std::set<std::string>{b});
  CHECK(list(fx, "?active=0") == std::set<std::string>{b});
  CHECK(list(fx, "?active=false") == std::set<std::string>{b});
  CHECK(list(fx, "?active=true") == std::set<std::string>{a, c});
  CHECK(list(fx, "?active=1&video=alpha") == std::set<std::string>{a, c});
  CHECK(list(fx, "?cdn_id=158") == std::set<std::string>{a, b, c});
  CHECK(list(fx, "?cdn_id=2001").empty());
  CHECK(list(fx, "?video=nothing").empty());
  // Another account's values match nothing of the demo's.
  Reply theirs = fx.as_other("GET", "/v2/sevu_token?key=" + a);
  CHECK(theirs.body == "[]");
}

TEST_CASE("filters on the date fields match one second, and page among the matches") {
  Fixture fx;
  // The fixture's clock stands at 2030-06-01 12:00:00.
  const std::string a = fx.create(
      R"({"pass":"p","video":"alpha","app":"demo-x","uses":1,"expire_date":"2030-07-01 00:00:00"})");
  const std::string b = fx.create(
      R"({"pass":"p","video":"beta","app":"demo-x","uses":1,"expire_date":"2030-08-01 00:00:00"})");
  const std::string c = fx.create(
      R"({"pass":"p","video":"gamma","app":"demo-x","uses":1,"expire_date":"2030-07-01 00:00:00"})");
  const std::string d = fx.create(R"({"pass":"p","video":"delta","app":"demo-x","uses":1})");

  CHECK(list(fx, "?expire_date=2030-07-01+00:00:00") == std::set<std::string>{a, c});
  CHECK(list(fx, "?expire_date=2030-07-01T00:00:00Z") == std::set<std::string>{a, c});
  CHECK(list(fx, "?expire_date=2030-08-01%2000:00:00") == std::set<std::string>{b});
  CHECK(list(fx, "?expire_date=2030-06-08+12:00:00") == std::set<std::string>{d});  // +1 week
  CHECK(list(fx, "?expire_date=2030-07-01+00:00:01").empty());
  CHECK(list(fx, "?expire_date=2030-07-01+00:00:00&video=gamma") == std::set<std::string>{c});
  CHECK(list(fx, "?created_date=2030-06-01+12:00:00") == std::set<std::string>{a, b, c, d});
  CHECK(list(fx, "?used_date=0000-00-00+00:00:00") == std::set<std::string>{a, b, c, d});
  CHECK(list(fx, "?used_date=2030-06-01+12:00:00").empty());
  // limit/offset count matches only, oldest first.
  CHECK(list(fx, "?expire_date=2030-07-01+00:00:00&limit=1") == std::set<std::string>{a});
  CHECK(list(fx, "?expire_date=2030-07-01+00:00:00&limit=1&offset=1") == std::set<std::string>{c});
  CHECK(list(fx, "?expire_date=2030-07-01+00:00:00&offset=2").empty());
  // Another account's tickets never match.
  CHECK(fx.as_other("GET", "/v2/sevu_token?created_date=2030-06-01+12:00:00").body == "[]");
}

TEST_CASE("a date filter pages correctly across more rows than one store batch") {
  Fixture fx;
  std::vector<std::string> late;  // expire 2031-01-01, every third ticket
  for (int i = 0; i < 1205; ++i) {
    const bool is_late = i % 3 == 0;
    const std::string key = fx.create(std::string(R"({"pass":"p","video":"v)") + std::to_string(i) +
                                      R"(","app":"demo-x","uses":1,"expire_date":")" +
                                      (is_late ? "2031-01-01" : "2030-12-01") + R"("})");
    if (is_late) late.push_back(key);
  }
  REQUIRE(late.size() == 402);
  Reply r = fx.call("GET", "/v2/sevu_token?expire_date=2031-01-01&limit=5&offset=398");
  REQUIRE(r.status == 200);
  REQUIRE(r.json.Size() == 4);
  for (rapidjson::SizeType i = 0; i < 4; ++i)
    CHECK(std::string(r.json[i]["key"].GetString()) == late[398 + i]);
  CHECK(fx.call("GET", "/v2/sevu_token?expire_date=2031-01-01&limit=1000").json.Size() == 402);
}

TEST_CASE("filter and paging errors") {
  Fixture fx;
  check_error(fx, "?created_date=someday", "INVALID_VALUE", "created_date");
  check_error(fx, "?expire_date=2030-02-30", "INVALID_VALUE", "expire_date");
  check_error(fx, "?used_date=", "INVALID_VALUE", "used_date");
  check_error(fx, "?colour=red", "UNKNOWN_FIELD", "colour");
  check_error(fx, "?uses=many", "INVALID_VALUE", "uses");
  check_error(fx, "?id=-1", "INVALID_VALUE", "id");
  check_error(fx, "?cdn_id=demo", "INVALID_VALUE", "cdn_id");
  check_error(fx, "?active=maybe", "INVALID_VALUE", "active");
  check_error(fx, "?limit=0", "INVALID_VALUE", "limit");
  check_error(fx, "?limit=1001", "INVALID_VALUE", "limit");
  check_error(fx, "?offset=-5", "INVALID_VALUE", "offset");
  check_error(fx, "?video=a&video=b", "INVALID_QUERY", "video");
  check_error(fx, "?video=%", "INVALID_QUERY", "");
  check_error(fx, "?option:children=stuff", "INVALID_VALUE", "option:children");
  // An unknown name with broken UTF-8 is echoed as valid JSON.
  Reply r = fx.call("GET", "/v2/sevu_token?%FF%FE=1");
  CHECK(r.status == 400);
  CHECK(r.error() == "UNKNOWN_FIELD");
}

TEST_CASE("limit and offset page through the list; default page is 100") {
  Fixture fx;
  std::set<std::string> all;
  for (int i = 0; i < 101; ++i) all.insert(fx.create_simple("v" + std::to_string(i)));
  Reply first = fx.call("GET", "/v2/sevu_token");
  REQUIRE(first.json.Size() == 100);
  CHECK(fx.call("GET", "/v2/sevu_token?limit=1000").json.Size() == 101);
  CHECK(fx.call("GET", "/v2/sevu_token?offset=100").json.Size() == 1);
  std::set<std::string> paged;
  for (int offset = 0; offset < 101; offset += 30) {
    Reply page = fx.call("GET", "/v2/sevu_token?limit=30&offset=" + std::to_string(offset));
    CHECK(page.json.Size() == (offset == 90 ? 11u : 30u));
    for (const auto& k : keys_of(page)) CHECK(paged.insert(k).second);  // no overlaps
  }
  CHECK(paged == all);
  CHECK(fx.call("GET", "/v2/sevu_token?offset=500").body == "[]");
}

TEST_CASE("option:children on the list embeds each ticket's attempts") {
  Fixture fx;
  const std::string a = fx.create_simple("alpha");
  const std::string b = fx.create_simple("beta");
  fx.attempt(kDemoCdn, a, "2030-06-01 10:00:00", true, "Success");
  fx.attempt(kDemoCdn, a, "2030-06-01 10:00:05", false, "Exceeded max views");
  Reply r = fx.call("GET", "/v2/sevu_token?option:children=sevu_attempt");
  REQUIRE(r.status == 200);
  REQUIRE(r.json.Size() == 2);
  for (const auto& o : r.json.GetArray()) {
    REQUIRE(o.HasMember("sevu_attempt"));
    const std::string key = o["key"].GetString();
    CHECK(o["sevu_attempt"].Size() == (key == a ? 2u : 0u));
  }
  Reply body = fx.call("GET", "/v2/sevu_token", R"({"option:children":"sevu_attempt"})");
  REQUIRE(body.status == 200);
  CHECK(body.json[0].HasMember("sevu_attempt"));
  Reply bad = fx.call("GET", "/v2/sevu_token", R"({"video":"alpha"})");
  CHECK(bad.status == 400);
  CHECK(bad.error() == "UNKNOWN_FIELD");
  Reply html = fx.call("GET", "/v2/sevu_token", R"({"option:children":"sevu_attempt"})",
                       basic(kDemoCdn, kDemoSecret), {{"Content-Type", "application/xml"}});
  CHECK(html.status == 415);
}

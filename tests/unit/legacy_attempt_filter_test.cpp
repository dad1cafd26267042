// Filters of sevu.attempts / sevu.errorlog / sevu.errorcount.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <limits>
#include <string>

#include "core/datetime.hpp"
#include "legacy/commands/attempt_filter.hpp"

using namespace sevu::legacy;

namespace {

constexpr int64_t kNow = 1700000000;

AttemptFilterResult read(const std::string& json, bool paging = true) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  REQUIRE(d.IsObject());
  return read_attempt_filter(d, kNow, paging);
}

}  // namespace

TEST_CASE("no filters: defaults") {
  auto r = read("{\"command\":\"sevu.errorlog\"}");
  REQUIRE(r.filter);
  CHECK_FALSE(r.filter->key);
  CHECK_FALSE(r.filter->since);
  CHECK_FALSE(r.filter->success);
  CHECK(r.filter->limit == 100);
  CHECK(r.filter->offset == 0);
}

TEST_CASE("every filter read") {
  auto r = read(
      "{\"key\":\"k1\",\"app\":\"a\",\"video\":\"v\",\"ip\":\"1.1.1.1\",\"pass\":\"p\","
      "\"starttime\":\"2014-09-16\",\"success\":\"1\",\"limit\":\"5\",\"seek\":10}");
  REQUIRE(r.filter);
  CHECK(r.filter->key == "k1");
  CHECK(r.filter->app == "a");
  CHECK(r.filter->video == "v");
  CHECK(r.filter->ip == "1.1.1.1");
  CHECK(r.filter->pass == "p");
  CHECK(r.filter->since == sevu::parse_datetime("2014-09-16 00:00:00", kNow));
  CHECK(r.filter->success == true);
  CHECK(r.filter->limit == 5);
  CHECK(r.filter->offset == 10);
}

TEST_CASE("starttime and datetime: both accepted, the later one applies") {
  auto dt = read("{\"datetime\":\"2020-01-02 03:04:05\"}");
  REQUIRE(dt.filter);
  CHECK(dt.filter->since == sevu::parse_datetime("2020-01-02 03:04:05", kNow));
  auto both = read("{\"starttime\":\"2020-01-01\",\"datetime\":\"2019-01-01\"}");
  REQUIRE(both.filter);
  CHECK(both.filter->since == sevu::parse_datetime("2020-01-01", kNow));
  auto unix_seconds = read("{\"starttime\":1600000000}");
  REQUIRE(unix_seconds.filter);
  CHECK(unix_seconds.filter->since == 1600000000);
}

TEST_CASE("success as number, string or boolean") {
  CHECK(read("{\"success\":0}").filter->success == false);
  CHECK(read("{\"success\":1}").filter->success == true);
  CHECK(read("{\"success\":\"0\"}").filter->success == false);
  CHECK(read("{\"success\":true}").filter->success == true);
  CHECK(read("{\"success\":false}").filter->success == false);
}

TEST_CASE("empty strings and nulls mean not given") {
  auto r = read("{\"key\":\"\",\"app\":null,\"success\":\"\",\"limit\":\"\",\"starttime\":\"\"}");
  REQUIRE(r.filter);
  CHECK_FALSE(r.filter->key);
  CHECK_FALSE(r.filter->app);
  CHECK_FALSE(r.filter->success);
  CHECK_FALSE(r.filter->since);
  CHECK(r.filter->limit == 100);
}

TEST_CASE("bad values name their field") {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const auto& c :
       {Case{"{\"key\":5}", "key"}, Case{"{\"app\":[]}", "app"}, Case{"{\"video\":true}", "video"},
        Case{"{\"ip\":{}}", "ip"}, Case{"{\"pass\":1}", "pass"},
        Case{"{\"starttime\":\"yesterday\"}", "starttime"},
        Case{"{\"datetime\":\"2023-02-30\"}", "datetime"}, Case{"{\"starttime\":[1]}", "starttime"},
        Case{"{\"success\":2}", "success"}, Case{"{\"success\":\"yes\"}", "success"},
        Case{"{\"limit\":0}", "limit"}, Case{"{\"limit\":-1}", "limit"},
        Case{"{\"limit\":1001}", "limit"}, Case{"{\"limit\":1.5}", "limit"},
        Case{"{\"limit\":\"ten\"}", "limit"}, Case{"{\"seek\":-1}", "seek"},
        Case{"{\"seek\":\"x\"}", "seek"}}) {
    CAPTURE(c.json);
    auto r = read(c.json);
    CHECK_FALSE(r.filter);
    CHECK(r.bad_field == c.field);
  }
  CHECK(read("{\"limit\":1000}").filter->limit == 1000);
  CHECK(read("{\"limit\":1}").filter->limit == 1);
}

TEST_CASE("counting ignores limit and seek entirely") {
  auto r = read("{\"limit\":-5,\"seek\":\"x\",\"app\":\"a\"}", false);
  REQUIRE(r.filter);
  CHECK(r.filter->app == "a");
  CHECK(r.filter->limit == std::numeric_limits<int64_t>::max());
  CHECK(r.filter->offset == 0);
}

// Query strings: percent-decoding, repeated/unknown parameters, paging bounds.
#include <doctest/doctest.h>

#include "core/query_string.hpp"
#include "v2/errors.hpp"
#include "v2/query_args.hpp"

using namespace sevu;
using namespace sevu::v2;

namespace {

// The error code a throwing call produced, or "" if it did not throw.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const V2Error& e) {
    return e.code + (e.field.empty() ? "" : ":" + e.field);
  }
  return "";
}

}  // namespace

TEST_CASE("percent_decode handles escapes, plus and malformed input") {
  CHECK(percent_decode("a%20b", false) == "a b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK(percent_decode("%2a%2A", true) == "**");
  CHECK(percent_decode("%7C", true) == "|");
  CHECK(percent_decode("100%", true) == std::nullopt);
  CHECK(percent_decode("%4", true) == std::nullopt);
  CHECK(percent_decode("%zz", true) == std::nullopt);
  CHECK(percent_decode("", true) == "");
}

TEST_CASE("parse_query splits, decodes and keeps order") {
  auto q = parse_query("b=2&a=x%20y&&flag&c=");
  REQUIRE(q);
  REQUIRE(q->size() == 4);
  CHECK((*q)[0] == std::pair<std::string, std::string>{"b", "2"});
  CHECK((*q)[1] == std::pair<std::string, std::string>{"a", "x y"});
  CHECK((*q)[2] == std::pair<std::string, std::string>{"flag", ""});
  CHECK((*q)[3] == std::pair<std::string, std::string>{"c", ""});
  CHECK(parse_query("")->empty());
  CHECK(parse_query("a=%G1") == std::nullopt);
  auto eq = parse_query("v=a=b");
  REQUIRE(eq);
  CHECK((*eq)[0].second == "a=b");
}

TEST_CASE("QueryArgs takes parameters and reports the rest") {
  QueryArgs args("limit=5&option%3Achildren=sevu_attempt&zzz=1");
  CHECK(args.take("limit") == "5");
  CHECK(args.take("limit") == std::nullopt);
  CHECK(take_children(args));
  CHECK(error_of([&] { args.reject_rest(); }) == "UNKNOWN_FIELD:zzz");
  CHECK(args.take("zzz") == "1");
  CHECK(error_of([&] { args.reject_rest(); }) == "");
}

TEST_CASE("QueryArgs refuses repeats and bad encoding") {
  CHECK(error_of([] { QueryArgs a("x=1&x=2"); }) == "INVALID_QUERY:x");
  CHECK(error_of([] { QueryArgs a("x=%"); }) == "INVALID_QUERY");
}

TEST_CASE("take_page applies defaults and bounds") {
  {
    QueryArgs a("");
    Page p = take_page(a);
    CHECK(p.limit == 100);
    CHECK(p.offset == 0);
  }
  {
    QueryArgs a("limit=1000&offset=7");
    Page p = take_page(a);
    CHECK(p.limit == 1000);
    CHECK(p.offset == 7);
  }
  for (const char* bad :
       {"limit=0", "limit=1001", "limit=abc", "limit=-1", "limit=", "limit=99999999999999999999"}) {
    CAPTURE(bad);
    CHECK(error_of([&] {
            QueryArgs a(bad);
            take_page(a);
          }) == "INVALID_VALUE:limit");
  }
  for (const char* bad : {"offset=-1", "offset=x", "offset=1.5"}) {
    CAPTURE(bad);
    CHECK(error_of([&] {
            QueryArgs a(bad);
            take_page(a);
          }) == "INVALID_VALUE:offset");
  }
}

TEST_CASE("take_children accepts sevu_attempt and none only") {
  QueryArgs none("option:children=none");
  CHECK_FALSE(take_children(none));
  QueryArgs empty("");
  CHECK_FALSE(take_children(empty));
  CHECK(error_of([] {
          QueryArgs a("option:children=stream_user");
          take_children(a);
        }) == "INVALID_VALUE:option:children");
}

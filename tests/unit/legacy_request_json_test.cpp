// Parsing the request JSON: one object, nothing ambiguous, nothing dangerous.
#include <doctest/doctest.h>

#include <string>

#include "legacy/request_json.hpp"

using sevu::legacy::kMaxJsonDepth;
using sevu::legacy::parse_request_json;

TEST_CASE("an object parses; numbers keep full precision; order is kept") {
  auto r = parse_request_json("{\"b\":0.1,\"a\":12345678901234567890,\"c\":[1,{\"d\":null}]}");
  REQUIRE(r.ok);
  CHECK(r.doc["b"].GetDouble() == 0.1);
  CHECK(r.doc["a"].GetUint64() == 12345678901234567890ull);
  CHECK(std::string(r.doc.MemberBegin()->name.GetString()) == "b");
}

TEST_CASE("malformed or non-object JSON is refused with a reason") {
  for (const std::string text :
       {"", " ", "{", "{\"a\":}", "[1,2]", "\"str\"", "42", "null", "{\"a\":1} x", "{'a':1}",
        "{\"a\":1,}", "{\"a\":\"\\x\"}", "{\"a\":1e999}"}) {
    CAPTURE(text);
    auto r = parse_request_json(text);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.problem.empty());
  }
}

TEST_CASE("a NUL byte cannot hide trailing garbage") {
  CHECK_FALSE(parse_request_json(std::string("{\"a\":1}\0garbage", 15)).ok);
  CHECK_FALSE(parse_request_json(std::string("{\"a\":\"x\0y\"}", 11)).ok);
}

TEST_CASE("invalid UTF-8 and lone surrogates are refused") {
  CHECK_FALSE(parse_request_json("{\"a\":\"\xFF\"}").ok);
  CHECK_FALSE(parse_request_json("{\"a\":\"\xED\xA0\x80\"}").ok);
  CHECK_FALSE(parse_request_json("{\"a\":\"\\udc00\"}").ok);
  CHECK_FALSE(parse_request_json("{\"a\":\"\\ud800\"}").ok);
  CHECK(parse_request_json("{\"a\":\"\\ud83d\\ude00 \xC3\xA9\"}").ok);
}

TEST_CASE("a top-level member given twice is ambiguous and refused") {
  CHECK_FALSE(parse_request_json("{\"uses\":1,\"uses\":9}").ok);
  CHECK_FALSE(parse_request_json("{\"signature\":\"a\",\"x\":1,\"signature\":\"a\"}").ok);
  CHECK(parse_request_json("{\"a\":{\"x\":1},\"b\":{\"x\":2}}").ok);
}

TEST_CASE("nesting is bounded before the recursive parser runs") {
  std::string ok =
      "{\"a\":" + std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']') + "}";
  CHECK(parse_request_json(ok).ok);
  std::string deep = "{\"a\":" + std::string(1000000, '[') + "}";
  CHECK_FALSE(parse_request_json(deep).ok);
  // Brackets inside strings do not count.
  CHECK(parse_request_json("{\"a\":\"" + std::string(1000, '[') + "\\\"[[\"}").ok);
}

// Parsing the request JSON: one object, nothing ambiguous, nothing dangerous.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/json_util.hpp"
#include "legacy/wire/php_json.hpp"
#include "legacy/wire/request_json.hpp"

using sevu::kMaxJsonDepth;
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
  CHECK(parse_request_json("{\"a\":\"\\udc00\"}").problem == "invalid Unicode in a JSON string");
  // In the signature's own value too, which form (b) leaves out.
  CHECK(parse_request_json("{\"a\":1,\"signature\":\"\\udc00\"}").problem ==
        "invalid Unicode in a JSON string");
  CHECK_FALSE(parse_request_json("{\"a\":\"\\ud800\"}").ok);
  // PHP cannot encode an infinite number either; rapidjson refuses it first.
  CHECK_FALSE(parse_request_json("{\"a\":1e400}").ok);
  CHECK(parse_request_json("{\"a\":\"\\ud83d\\ude00 \xC3\xA9\"}").ok);
}

TEST_CASE("a top-level member given twice is ambiguous and refused") {
  CHECK_FALSE(parse_request_json("{\"uses\":1,\"uses\":9}").ok);
  CHECK_FALSE(parse_request_json("{\"signature\":\"a\",\"x\":1,\"signature\":\"a\"}").ok);
  // The name named is the first one met again, in the document's order.
  CHECK(parse_request_json("{\"z\":1,\"b\":1,\"a\":1,\"b\":2,\"a\":2}").problem ==
        "member 'b' occurs more than once");
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

TEST_CASE("zeros with an exponent parse as zero floats, as PHP reads them") {
  // rapidjson 1.1.0's full-precision parser has undefined behaviour on these.
  auto r = parse_request_json(R"({"a":0e46,"b":-0E+400,"c":0.000e-5,"d":1e2,"s":"0e46"})");
  REQUIRE(r.ok);
  CHECK(r.doc["a"].IsDouble());
  CHECK(r.doc["a"].GetDouble() == 0.0);
  CHECK(std::signbit(r.doc["b"].GetDouble()));
  CHECK(r.doc["c"].GetDouble() == 0.0);
  CHECK(r.doc["d"].GetDouble() == 100.0);
  CHECK(std::string(r.doc["s"].GetString()) == "0e46");  // strings are left alone
  // What PHP's json_encode(json_decode(...)) prints for the same text.
  CHECK(sevu::legacy::php_json_encode(r.doc) == R"({"a":0,"b":-0,"c":0,"d":100,"s":"0e46"})");
}

TEST_CASE("rewriting float zeros never makes malformed JSON well-formed") {
  for (const char* bad : {R"({"a":0.})", R"({"a":0e})", R"({"a":0ee44})", R"({"a":0.0e5e5})",
                          R"({"a":0.00.5})", R"({"a":-0.e1})", R"({"a":0e+})"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_request_json(bad).ok);
  }
  CHECK(parse_request_json(R"({"a":[0.000000000000000000000000000000,-0e-9]})").ok);
}

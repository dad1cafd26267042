#include <doctest/doctest.h>

#include <cmath>

#include <rapidjson/document.h>

#include <string>

#include "core/json_util.hpp"

using sevu::has_member;
using sevu::int_member;
using sevu::string_member;

namespace {

rapidjson::Document parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("string_member") {
  const auto d = parse(
      R"({"s":"hello","e":"","n":5,"b":true,"z":null,"o":{},"a":[],"u":"caf\u00e9","nul":"a\u0000b"})");
  CHECK(string_member(d, "s") == "hello");
  CHECK(string_member(d, "e") == "");
  CHECK(string_member(d, "u") == "caf\xc3\xa9");
  CHECK(string_member(d, "nul") == std::string("a\0b", 3));
  CHECK_FALSE(string_member(d, "n"));
  CHECK_FALSE(string_member(d, "b"));
  CHECK_FALSE(string_member(d, "z"));
  CHECK_FALSE(string_member(d, "o"));
  CHECK_FALSE(string_member(d, "a"));
  CHECK_FALSE(string_member(d, "missing"));
}

TEST_CASE("int_member: numbers") {
  const auto d =
      parse(R"({"i":158,"neg":-7,"zero":0,"big":9223372036854775807,"min":-9223372036854775808,)"
            R"("toobig":9223372036854775808,"huge":18446744073709551615,"f":5.0,"f2":1.5,"e":1e3,)"
            R"("b":true,"z":null,"o":{"x":1},"a":[1]})");
  CHECK(int_member(d, "i") == 158);
  CHECK(int_member(d, "neg") == -7);
  CHECK(int_member(d, "zero") == 0);
  CHECK(int_member(d, "big") == INT64_MAX);
  CHECK(int_member(d, "min") == INT64_MIN);
  CHECK_FALSE(int_member(d, "toobig"));
  CHECK_FALSE(int_member(d, "huge"));
  CHECK_FALSE(int_member(d, "f"));
  CHECK_FALSE(int_member(d, "f2"));
  CHECK_FALSE(int_member(d, "e"));
  CHECK_FALSE(int_member(d, "b"));
  CHECK_FALSE(int_member(d, "z"));
  CHECK_FALSE(int_member(d, "o"));
  CHECK_FALSE(int_member(d, "a"));
  CHECK_FALSE(int_member(d, "missing"));
}

TEST_CASE("int_member: digit strings") {
  const auto d = parse(
      R"({"s":"158","lead":"007","zero":"0","max18":"999999999999999999","long19":"1000000000000000000",)"
      R"("empty":"","neg":"-5","plus":"+5","space":" 5","trail":"5 ","hex":"0x10","dec":"5.0",)"
      R"("mixed":"12a","nul":"1\u00002"})");
  CHECK(int_member(d, "s") == 158);
  CHECK(int_member(d, "lead") == 7);
  CHECK(int_member(d, "zero") == 0);
  CHECK(int_member(d, "max18") == 999999999999999999);
  for (const char* bad :
       {"long19", "empty", "neg", "plus", "space", "trail", "hex", "dec", "mixed", "nul"}) {
    CAPTURE(bad);
    CHECK_FALSE(int_member(d, bad));
  }
}

TEST_CASE("has_member") {
  const auto d = parse(R"({"s":"","n":0,"b":false,"z":null,"o":{},"a":[]})");
  CHECK(has_member(d, "s"));
  CHECK(has_member(d, "n"));
  CHECK(has_member(d, "b"));
  CHECK(has_member(d, "o"));
  CHECK(has_member(d, "a"));
  CHECK_FALSE(has_member(d, "z"));
  CHECK_FALSE(has_member(d, "missing"));
}

TEST_CASE("helpers on a non-object never assert") {
  for (const char* json : {"[1,2]", "\"x\"", "5", "null", "true"}) {
    CAPTURE(json);
    const auto d = parse(json);
    CHECK_FALSE(string_member(d, "x"));
    CHECK_FALSE(int_member(d, "x"));
    CHECK_FALSE(has_member(d, "x"));
  }
}

TEST_CASE("nested objects are looked up on the given value only") {
  const auto d = parse(R"({"outer":{"cdn":"158"}})");
  CHECK_FALSE(int_member(d, "cdn"));
  CHECK(int_member(d["outer"], "cdn") == 158);
}

// parse_json: the one entry point for JSON from outside.

namespace {

std::string nested(int depth, const std::string& inner = "") {
  return std::string(static_cast<std::size_t>(depth), '[') + inner +
         std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

TEST_CASE("parse_json: nesting up to the limit parses, one level more is refused") {
  rapidjson::Document d;
  CHECK(sevu::parse_json(nested(sevu::kMaxJsonDepth), d).empty());
  CHECK(sevu::parse_json("{\"a\":" + nested(sevu::kMaxJsonDepth - 1) + "}", d).empty());
  CHECK(sevu::parse_json(nested(sevu::kMaxJsonDepth + 1), d).find("nested deeper") !=
        std::string::npos);
  CHECK_FALSE(sevu::parse_json("{\"a\":" + nested(sevu::kMaxJsonDepth) + "}", d).empty());
}

TEST_CASE("parse_json: the attack shapes are refused without recursion") {
  rapidjson::Document d;
  const int kDeep = 150000;
  CHECK_FALSE(sevu::parse_json(nested(kDeep), d).empty());
  CHECK_FALSE(sevu::parse_json("{\"key\":" + nested(kDeep) + "}", d).empty());
  std::string objects;
  for (int i = 0; i < kDeep; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kDeep, '}');
  CHECK_FALSE(sevu::parse_json(objects, d).empty());
  // Unbalanced: only opening brackets, as a truncated attack arrives.
  CHECK_FALSE(sevu::parse_json(std::string(kDeep, '['), d).empty());
}

TEST_CASE("parse_json: brackets inside strings do not count") {
  rapidjson::Document d;
  CHECK(sevu::parse_json("{\"a\":\"" + std::string(1000, '[') + "\\\"[[\"}", d).empty());
  CHECK(std::string(d["a"].GetString()).size() == 1003);
  // An escaped backslash ends before the quote: the string closes there.
  CHECK(sevu::parse_json("[\"\\\\\"," + nested(sevu::kMaxJsonDepth - 1) + "]", d).empty());
}

TEST_CASE("parse_json: malformed text, NUL, bad UTF-8 and trailing text are refused") {
  rapidjson::Document d;
  for (const std::string& text :
       {std::string(""), std::string("{"), std::string("{\"a\":1} x"), std::string("{'a':1}"),
        std::string("{\"a\":1}\0x", 9), std::string("{\"a\":\"x\0y\"}", 11),
        std::string("{\"a\":\"\xFF\"}"), std::string("[1,]")}) {
    CAPTURE(text);
    CHECK_FALSE(sevu::parse_json(text, d).empty());
  }
}

TEST_CASE("parse_json: UTF-8 is checked over the whole text, strictly, at the first bad byte") {
  rapidjson::Document d;
  CHECK(sevu::parse_json("{\"a\":\"ok\",\"b\":\"x\xC0\xAF\"}", d) ==
        "malformed JSON: invalid UTF-8 at offset 16");  // an overlong '/'
  CHECK(sevu::parse_json("[\"\xED\xA0\x80\"]", d) == "malformed JSON: invalid UTF-8 at offset 2");
  CHECK(sevu::parse_json("[\"\xF4\x90\x80\x80\"]", d) ==
        "malformed JSON: invalid UTF-8 at offset 2");  // past U+10FFFF
  CHECK(sevu::parse_json("[\"\xE2\x82\"]", d) == "malformed JSON: invalid UTF-8 at offset 2");
  CHECK_FALSE(sevu::parse_json("[1,\xC3\xA9]", d).empty());  // valid, but not a value
  // Past the eight-byte ASCII stride, and valid multi-byte text on either side.
  CHECK(sevu::parse_json("{\"long ascii text here\":\"\xC3\xA9\xFF\"}", d) ==
        "malformed JSON: invalid UTF-8 at offset 27");
  REQUIRE(sevu::parse_json("{\"a\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}", d).empty());
  CHECK(std::string(d["a"].GetString()) == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST_CASE("parse_json: any value; float zeros read as zero; full precision") {
  rapidjson::Document d;
  REQUIRE(sevu::parse_json("[0e46,-0E+400,0.000e-5,0.1,12345678901234567890,\"0e46\"]", d).empty());
  CHECK(d[0].IsDouble());
  CHECK(d[0].GetDouble() == 0.0);
  CHECK(d[2].GetDouble() == 0.0);
  CHECK(d[3].GetDouble() == 0.1);
  CHECK(d[4].GetUint64() == 12345678901234567890ull);
  CHECK(std::string(d[5].GetString()) == "0e46");
  CHECK(sevu::parse_json("42", d).empty());
  CHECK(d.IsInt());
}

TEST_CASE("parse_json: numbers too small for a double read as zero (fuzz_json's find)") {
  rapidjson::Document d;
  // Many digits and an exponent past the smallest double: Debian's rapidjson
  // 1.1.0 read outside its power table for this one.
  REQUIRE(sevu::parse_json("[-0.050113333333000000030054e-0000333,1e-400,"
                           "12345678901234567890123e-350,4.9e-324,1e-300]",
                           d)
              .empty());
  CHECK(d[0].GetDouble() == 0.0);
  CHECK(std::signbit(d[0].GetDouble()));
  CHECK(d[1].GetDouble() == 0.0);
  CHECK(d[2].GetDouble() == 0.0);  // 1.2e-328
  CHECK(d[3].GetDouble() > 0.0);   // the smallest double stays as it is
  CHECK(d[4].GetDouble() == 1e-300);
}

TEST_CASE("parse_json: hooks may pass a viewer's non-UTF-8 bytes through") {
  rapidjson::Document d;
  const std::string text = "{\"stream\":\"\xff\xc3\"}";
  CHECK_FALSE(sevu::parse_json(text, d).empty());
  REQUIRE(sevu::parse_json(text, d, sevu::JsonUtf8::kPassedThrough).empty());
  CHECK(std::string(d["stream"].GetString()) == "\xff\xc3");
  // The depth limit and NUL rule hold either way.
  CHECK_FALSE(
      sevu::parse_json(nested(sevu::kMaxJsonDepth + 1), d, sevu::JsonUtf8::kPassedThrough).empty());
  CHECK_FALSE(
      sevu::parse_json(std::string("[1]\0x", 5), d, sevu::JsonUtf8::kPassedThrough).empty());
}

TEST_CASE("parse_json: numbers too big for a double are refused before rapidjson (fuzz find)") {
  rapidjson::Document d;
  // 70 digits times 10^259: rapidjson 1.1.0's full-precision parser asserted on it.
  const std::string huge = "8" + std::string(69, '1') + "e0000000259";
  for (const std::string& text : {huge, "[1," + huge + "]", "{\"a\":-" + huge + "}",
                                  std::string("1e309"), std::string("-1e400")}) {
    const std::string problem = sevu::parse_json(text, d);
    CHECK_MESSAGE(problem.find("Number too big") != std::string::npos, text);
  }
  // Within range: read as usual.
  REQUIRE(sevu::parse_json("[1e308,-1.5e307," + std::string(300, '9') + "]", d).empty());
  CHECK(d[0].GetDouble() == 1e308);
}

namespace {

// read_top_members must read what parse_json and present_member read: the same
// refusal with the same words, and the same value for every member asked for.
void reads_like_a_document(const std::string& text, sevu::JsonUtf8 utf8) {
  CAPTURE(text);
  static constexpr std::string_view kNames[] = {"a", "b", "ip", "nested", "dup", "missing"};
  constexpr std::size_t kCount = sizeof kNames / sizeof kNames[0];
  sevu::TopMember members[kCount];
  bool is_object = true;
  const std::string problem =
      sevu::read_top_members(text, utf8, kNames, kCount, members, is_object);
  sevu::JsonDocument doc;
  CHECK(problem == sevu::parse_json(text, doc, utf8));
  if (!problem.empty()) return;
  CHECK(is_object == doc.IsObject());
  for (std::size_t i = 0; i < kCount; ++i) {
    CAPTURE(kNames[i]);
    const rapidjson::Value* v = sevu::present_member(doc, kNames[i].data());
    CHECK(members[i].present() == (v != nullptr));
    if (v == nullptr) continue;
    CHECK((members[i].kind == sevu::TopMember::Kind::kString) == v->IsString());
    if (v->IsString()) CHECK(members[i].text == std::string(v->GetString(), v->GetStringLength()));
  }
}

}  // namespace

TEST_CASE("read_top_members reads a body as parse_json and present_member do") {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  const std::string texts[] = {
      R"({"a":"x","b":"y","ip":"1.2.3.4"})",
      R"({"a":"caf\u00e9 \"q\" \\ \/","b":"a\u0000b"})",
      R"({"a":1,"b":true,"ip":null,"nested":{"a":"inner","ip":"no"},"missing2":[1,"a"]})",
      R"({"dup":"first","dup":"second","a":null,"a":"later"})",
      R"({"nested":[{"a":"x"}],"a":"after nesting"})",
      R"( { "a" : "spaces" , "b" : 0e46 , "ip" : -0.0 } )",
      R"(["a","b"])",
      R"("a")",
      "5",
      "null",
      "{}",
      "",
      "{",
      R"({"a":"x",})",
      R"({"a":"x"} trailing)",
      R"({"a":"unterminated)",
      R"({"a":"\ud800"})",
      "{\"a\":\"\xff\xfe\"}",
      R"({"a":1e400})",
      std::string("{\"a\":\"x\0y\"}", 12),
      "{\"a\":" + deep + "}",
      R"({"a":"x","b":0.0000000000000000000000000000000000000000001e-330})",
      "\xef\xbb\xbf{\"a\":\"after a byte order mark\"}",
      "\xef\xfd}",  // a lone first byte of a mark is skipped too (found by fuzz_json)
      "\xbb\xbf[1]",
      "\"ends in a lead byte\xf2",  // read past an in-situ buffer's end (fuzz_json)
      "{\"a\":\"\xe2\x82",
  };
  for (const auto& text : texts) {
    reads_like_a_document(text, sevu::JsonUtf8::kPassedThrough);
    reads_like_a_document(text, sevu::JsonUtf8::kRequired);
  }
}

TEST_CASE("put_text: valid text as it is, invalid bytes as U+FFFD") {
  rapidjson::StringBuffer out;
  sevu::JsonWriter w(out);
  w.StartObject();
  sevu::put_text(w, "ok", std::string("caf\xC3\xA9 \"q\""));
  sevu::put_text(w, "bad",
                 std::string("a\xFF"
                             "b\xC0"));
  sevu::put_text(w, "empty", std::string());
  w.EndObject();
  CHECK(std::string(out.GetString()) ==
        "{\"ok\":\"caf\xC3\xA9 \\\"q\\\"\",\"bad\":\"a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD\",\"empty\":\"\"}");
}

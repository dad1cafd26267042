// PHP json_encode reproduction. Expected strings are what PHP 8 prints for the
// same values (serialize_precision = -1, default flags).
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <limits>
#include <string>

#include "legacy/wire/php_json.hpp"

using namespace sevu::legacy;

namespace {

std::string reencode(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
  REQUIRE_FALSE(d.HasParseError());
  auto out = php_json_encode(d);
  REQUIRE(out.has_value());
  return *out;
}

}  // namespace

TEST_CASE("the upstream sevu.request example is already in PHP form") {
  const std::string php =
      "{\"command\":\"sevu.request\",\"api_key\":\"APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE\","
      "\"timestamp\":1700000000,\"cdn\":158,\"app\":\"demo-origin\",\"video\":\"mystream\","
      "\"pass\":\"unique_random_string_per_request\",\"ip\":\"\",\"uses\":5,"
      "\"expire\":\"2024-07-19 23:22:40\"}";
  CHECK(reencode(php) == php);
}

TEST_CASE("compact, slashes escaped, member order kept") {
  CHECK(reencode("{ \"z\" : \"a/b\" ,\n \"a\" : [ 1 , 2 ], \"m\": {} ,\"e\":[]}") ==
        "{\"z\":\"a\\/b\",\"a\":[1,2],\"m\":{},\"e\":[]}");
  CHECK(reencode("{\"a/b\":true,\"n\":null,\"f\":false}") ==
        "{\"a\\/b\":true,\"n\":null,\"f\":false}");
  CHECK(reencode("{\"already\":\"x\\/y\"}") == "{\"already\":\"x\\/y\"}");
}

TEST_CASE("non-ASCII as lowercase \\u escapes, astral chars as surrogate pairs") {
  CHECK(reencode("{\"s\":\"\xC3\xA9\"}") == "{\"s\":\"\\u00e9\"}");                 // é
  CHECK(reencode("{\"s\":\"\\u00E9\"}") == "{\"s\":\"\\u00e9\"}");                  // escaped input
  CHECK(reencode("{\"s\":\"\xE2\x82\xAC\"}") == "{\"s\":\"\\u20ac\"}");             // €
  CHECK(reencode("{\"s\":\"\xF0\x9F\x98\x80\"}") == "{\"s\":\"\\ud83d\\ude00\"}");  // 😀
  CHECK(reencode("{\"s\":\"\\ud83d\\ude00\"}") == "{\"s\":\"\\ud83d\\ude00\"}");
  CHECK(reencode("{\"\xC3\xA9\":1}") == "{\"\\u00e9\":1}");  // keys too
}

TEST_CASE("control characters, quotes and backslashes") {
  CHECK(reencode("{\"s\":\"\\b\\f\\n\\r\\t\"}") == "{\"s\":\"\\b\\f\\n\\r\\t\"}");
  CHECK(reencode("{\"s\":\"\\u0001\\u001F\\u0000\"}") == "{\"s\":\"\\u0001\\u001f\\u0000\"}");
  CHECK(reencode("{\"s\":\"\x7f\"}") == "{\"s\":\"\x7f\"}");  // DEL is not escaped
  CHECK(reencode("{\"s\":\"a\\\"b\\\\c\"}") == "{\"s\":\"a\\\"b\\\\c\"}");
  CHECK(reencode("{\"s\":\"<>&'\"}") == "{\"s\":\"<>&'\"}");  // no JSON_HEX_* by default
}

TEST_CASE("integers bare, floats like PHP") {
  CHECK(reencode("[0,-1,158,9223372036854775807,-9223372036854775808]") ==
        "[0,-1,158,9223372036854775807,-9223372036854775808]");
  // Beyond int64 PHP's json_decode gives a float.
  CHECK(reencode("[12345678901234567890,-9223372036854775809]") ==
        "[1.2345678901234567e+19,-9.223372036854776e+18]");
  CHECK(reencode("[1.0,1E2,-0,-0.0,300.0]") == "[1,100,0,-0,300]");
  CHECK(reencode("[0.1,1.5,0.30000000000000004,123.456,-2.5e-5]") ==
        "[0.1,1.5,0.30000000000000004,123.456,-2.5e-5]");
}

TEST_CASE("php_double: PHP's fixed/exponent switch") {
  CHECK(php_double(2.0) == "2");
  CHECK(php_double(-0.0) == "-0");
  CHECK(php_double(0.0) == "0");
  CHECK(php_double(0.1) == "0.1");
  CHECK(php_double(1e25) == "1.0e+25");
  CHECK(php_double(1.5e-7) == "1.5e-7");
  CHECK(php_double(0.0001) == "0.0001");
  CHECK(php_double(0.00001) == "1.0e-5");
  CHECK(php_double(1e16) == "10000000000000000");
  CHECK(php_double(1e17) == "1.0e+17");
  CHECK(php_double(1e20) == "1.0e+20");
  CHECK(php_double(1234567.0) == "1234567");
  CHECK(php_double(5e-324) == "5.0e-324");
  CHECK(php_double(1.7976931348623157e308) == "1.7976931348623157e+308");
}

TEST_CASE("plain runs are copied whole between escapes") {
  // Each escape ends a run and the next one starts right after it.
  CHECK(reencode("{\"s\":\"ab/cd\\\"ef\\\\gh\\u0001ij\xC3\xA9kl\xF0\x9F\x98\x80mn\x7fop\"}") ==
        "{\"s\":\"ab\\/cd\\\"ef\\\\gh\\u0001ij\\u00e9kl\\ud83d\\ude00mn\x7fop\"}");
  CHECK(reencode("{\"s\":\"/\",\"t\":\"x\",\"u\":\"\"}") ==
        "{\"s\":\"\\/\",\"t\":\"x\",\"u\":\"\"}");
}

TEST_CASE("strings PHP cannot encode make the whole encoding fail") {
  for (const std::string& raw :
       {std::string("\xFF"), std::string("\xC3"), std::string("plain run, then \xFF"),
        std::string("\xED\xA0\x80"),         // encoded surrogate
        std::string("\xC0\xAF"),             // overlong '/'
        std::string("\xF4\x90\x80\x80")}) {  // above U+10FFFF
    CAPTURE(raw);
    rapidjson::Document doc;
    doc.SetObject();
    doc.AddMember("s",
                  rapidjson::Value(raw.data(), static_cast<rapidjson::SizeType>(raw.size()),
                                   doc.GetAllocator()),
                  doc.GetAllocator());
    CHECK_FALSE(php_json_encode(doc).has_value());
    CHECK_FALSE(php_json_encodable(doc));  // the verdict without the text agrees
    // Nested and as a member's name too.
    rapidjson::Document outer;
    outer.SetObject();
    rapidjson::Value name(raw.data(), static_cast<rapidjson::SizeType>(raw.size()),
                          outer.GetAllocator());
    outer.AddMember(name, rapidjson::Value(1), outer.GetAllocator());
    CHECK_FALSE(php_json_encodable(outer));
  }
  rapidjson::Value nan(std::numeric_limits<double>::quiet_NaN());
  CHECK_FALSE(php_json_encode(nan).has_value());
  CHECK_FALSE(php_json_encodable(nan));
  rapidjson::Document fine;
  fine.Parse("{\"a\":[1,2.5,\"\\u00e9/\",null,true,{\"b\":\"\\ud83d\\ude00\"}]}");
  REQUIRE_FALSE(fine.HasParseError());
  CHECK(php_json_encode(fine).has_value());
  CHECK(php_json_encodable(fine));
}

TEST_CASE("encoding without a member drops it at the top level only") {
  rapidjson::Document d;
  const std::string json =
      "{\"signature\":\"s\",\"a\":{\"signature\":\"inner\"},\"b\":1,\"signature2\":2}";
  d.Parse(json.c_str());
  CHECK(php_json_encode_without(d, "signature") ==
        "{\"a\":{\"signature\":\"inner\"},\"b\":1,\"signature2\":2}");
  CHECK(php_json_encode_without(d, "b") ==
        "{\"signature\":\"s\",\"a\":{\"signature\":\"inner\"},\"signature2\":2}");
}

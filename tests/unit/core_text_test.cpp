// The text primitives every part reads input with (core/text.hpp, core/utf8.hpp,
// the JSON readers over them in core/json_util.hpp).
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"

using namespace sevu;

namespace {

rapidjson::Document parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("parse_decimal: 1 to 18 digits, nothing else") {
  CHECK(parse_decimal("0") == 0);
  CHECK(parse_decimal("007") == 7);
  CHECK(parse_decimal("158") == 158);
  CHECK(parse_decimal("999999999999999999") == INT64_C(999999999999999999));
  CHECK_FALSE(parse_decimal("1000000000000000000"));  // 19 digits
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "١"}) {
    CHECK_MESSAGE(!parse_decimal(bad), bad);
  }
}

TEST_CASE("parse_decimal: a smaller digit limit, never more than 18") {
  CHECK(parse_decimal("255", 3) == 255);
  CHECK_FALSE(parse_decimal("1024", 3));
  CHECK_FALSE(parse_decimal("1000000000000000000", 40));
}

TEST_CASE("hex_value") {
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('9') == 9);
  CHECK(hex_value('a') == 10);
  CHECK(hex_value('F') == 15);
  for (char c : std::string("gG/:@`%\0", 8)) CHECK(hex_value(c) == -1);
}

TEST_CASE("hex_digit and put_hex_digits: lowercase, zero-padded, the last digits kept") {
  CHECK(hex_digit(0) == '0');
  CHECK(hex_digit(10) == 'a');
  CHECK(hex_digit(0x1f) == 'f');  // the low four bits only
  char out[8];
  put_hex_digits(out, 0xab12, 8);
  CHECK(std::string_view(out, 8) == "0000ab12");
  put_hex_digits(out, 0xffffffffffffffffULL, 4);
  CHECK(std::string_view(out, 4) == "ffff");
  put_hex_digits(out, 0x123456789ULL, 8);
  CHECK(std::string_view(out, 8) == "23456789");  // the high digit beyond the width dropped
}

TEST_CASE("trim: HTTP whitespace by default, any set on request") {
  CHECK(trim(" \t a b \t ") == "a b");
  CHECK(trim("\r\na\r\n") == "\r\na\r\n");
  CHECK(trim("\r\n a\f\v", kAsciiSpace) == "a");
  CHECK(trim("   ").empty());
  CHECK(trim("").empty());
}

TEST_CASE("ASCII case: folding and comparing, no locale") {
  CHECK(ascii_lower("Content-TYPE") == "content-type");
  CHECK(ascii_lower("\xC3\x84") == "\xC3\x84");  // bytes beyond ASCII are left alone
  CHECK(iequals("Content-Type", "content-type"));
  CHECK_FALSE(iequals("Content-Type", "content-typ"));
  CHECK_FALSE(iequals("a", "b"));
  CHECK(istarts_with("Basic abc", "basic"));
  CHECK_FALSE(istarts_with("Bas", "basic"));
}

TEST_CASE("media_type: main type before parameters, trimmed, lowercased") {
  CHECK(media_type(" Multipart/Form-Data ; boundary=x") == "multipart/form-data");
  CHECK(media_type("application/json") == "application/json");
  CHECK(media_type("\tText/Plain;charset=utf-8") == "text/plain");
  CHECK(media_type("").empty());
  CHECK(media_type("; x=1").empty());
}

TEST_CASE("parse_bool: the one text rule") {
  CHECK(parse_bool("true") == true);
  CHECK(parse_bool("1") == true);
  CHECK(parse_bool("false") == false);
  CHECK(parse_bool("0") == false);
  for (const char* bad : {"", "TRUE", "True", "yes", "no", "on", "2", " 1", "1 ", "01"}) {
    CHECK_MESSAGE(!parse_bool(bad), bad);
  }
}

TEST_CASE("bool_value: JSON booleans, 1/0 and the text rule") {
  const auto d = parse(
      R"([true, false, 1, 0, "true", "false", "1", "0", 2, -1, 1.0, "yes", "", null, [], {}])");
  const auto& a = d.GetArray();
  CHECK(bool_value(a[0]) == true);
  CHECK(bool_value(a[1]) == false);
  CHECK(bool_value(a[2]) == true);
  CHECK(bool_value(a[3]) == false);
  CHECK(bool_value(a[4]) == true);
  CHECK(bool_value(a[5]) == false);
  CHECK(bool_value(a[6]) == true);
  CHECK(bool_value(a[7]) == false);
  for (rapidjson::SizeType i = 8; i < a.Size(); ++i) CHECK_MESSAGE(!bool_value(a[i]), i);
}

TEST_CASE("int_value: an integer or a string of 1-18 digits") {
  const auto d = parse(R"([158, -7, "158", "007", "", "-7", "1e3", 1.5, true, null])");
  const auto& a = d.GetArray();
  CHECK(int_value(a[0]) == 158);
  CHECK(int_value(a[1]) == -7);
  CHECK(int_value(a[2]) == 158);
  CHECK(int_value(a[3]) == 7);
  for (rapidjson::SizeType i = 4; i < a.Size(); ++i) CHECK_MESSAGE(!int_value(a[i]), i);
}

TEST_CASE("percent_decode: %XX of either case; + only where asked") {
  CHECK(percent_decode("a%2Fb%2fc+d", true) == "a/b/c d");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK_FALSE(percent_decode("%", true));
  CHECK_FALSE(percent_decode("%4", true));
  CHECK_FALSE(percent_decode("%zz", true));
}

TEST_CASE("percent_decode: a bad escape kept literally, as PHP's urldecode() keeps it") {
  using sevu::BadEscape;
  CHECK(percent_decode("%zz", true, BadEscape::kKeepLiteral) == "%zz");
  CHECK(percent_decode("a%", true, BadEscape::kKeepLiteral) == "a%");
  CHECK(percent_decode("%4", true, BadEscape::kKeepLiteral) == "%4");
  CHECK(percent_decode("%%41+", true, BadEscape::kKeepLiteral) == "%A ");  // urldecode("%%41+")
  CHECK(percent_decode("%41%g1", false, BadEscape::kKeepLiteral) == "A%g1");
  CHECK(sevu::parse_query("k=%zz&p=%", BadEscape::kKeepLiteral) ==
        std::vector<std::pair<std::string, std::string>>{{"k", "%zz"}, {"p", "%"}});
  CHECK_FALSE(sevu::parse_query("k=%zz"));  // the default refuses
}

TEST_CASE("parse_query: empty pieces skipped, an empty or null view is no pairs") {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(sevu::parse_query(std::string_view{}) == Pairs{});
  CHECK(sevu::parse_query("") == Pairs{});
  CHECK(sevu::parse_query("&&a=1&&b&c=x+y%21&") ==
        Pairs{{"a", "1"}, {"b", ""}, {"c", "x y!"}});
}

TEST_CASE("decode_utf8: lengths, code points, and what is refused") {
  uint32_t cp = 0;
  CHECK(decode_utf8("A", 0, cp) == 1);
  CHECK(cp == 0x41);
  CHECK(decode_utf8("\xC3\xA4", 0, cp) == 2);
  CHECK(cp == 0xE4);
  CHECK(decode_utf8("\xE2\x82\xAC", 0, cp) == 3);
  CHECK(cp == 0x20AC);
  CHECK(decode_utf8("\xF0\x9F\x98\x80", 0, cp) == 4);
  CHECK(cp == 0x1F600);
  for (const char* bad : {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8", "\xE2\x82"}) {
    CHECK_MESSAGE(decode_utf8(bad, 0, cp) == 0, bad);
  }
  CHECK(to_valid_utf8("a\xC0z") == "a\xEF\xBF\xBDz");
}

// to_valid_utf8 copies valid runs whole; it must answer exactly what replacing
// each undecodable byte, one character at a time, answers.
std::string to_valid_utf8_by_character(std::string_view text, std::size_t max_bytes) {
  if (max_bytes < text.size()) text = text.substr(0, max_bytes);
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const std::size_t n = decode_utf8(text, i, cp);
    out += n == 0 ? std::string("\xEF\xBF\xBD") : std::string(text.substr(i, n));
    i += n == 0 ? 1 : n;
  }
  return out;
}

TEST_CASE("to_valid_utf8: valid runs kept, each bad byte replaced, cut at max_bytes") {
  CHECK(to_valid_utf8("") == "");
  CHECK(to_valid_utf8("plain") == "plain");
  CHECK(to_valid_utf8("\xC3\xA4\xE2\x82\xAC!") == "\xC3\xA4\xE2\x82\xAC!");
  CHECK(to_valid_utf8("\x80") == "\xEF\xBF\xBD");
  CHECK(to_valid_utf8("\x80\x80" "a") == "\xEF\xBF\xBD\xEF\xBF\xBD" "a");
  CHECK(to_valid_utf8("ab\xE2\x82\xAC", 4) == "ab\xEF\xBF\xBD\xEF\xBF\xBD");  // a cut euro sign
  std::mt19937 random(20261202);
  const std::string alphabet = std::string("aZ09.|") + "\x80\xBF\xC0\xC3\xA4\xE2\x82\xAC\xED\xF0\x9F\xF4\xFF";
  for (int round = 0; round < 5000; ++round) {
    std::string text(random() % 24, '\0');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    const std::size_t max_bytes = random() % 3 ? std::string::npos : random() % 24;
    const std::string expected = to_valid_utf8_by_character(text, max_bytes);
    REQUIRE_MESSAGE(to_valid_utf8(text, max_bytes) == expected, text);
    std::string in_place = text;  // make_valid_utf8 repairs the same way, in place
    sevu::make_valid_utf8(in_place, max_bytes);
    REQUIRE_MESSAGE(in_place == expected, text);
  }
}

TEST_CASE("path_segments: after the prefix, each decoded; an empty one matches nothing") {
  using V = std::vector<std::string>;
  CHECK(sevu::path_segments("/v2/sevu_token/a%2Fb", "/v2/") == V{"sevu_token", "a/b"});
  CHECK(sevu::path_segments("/console/api/me", "/console/api/") == V{"me"});
  CHECK(sevu::path_segments("/v2/a+b", "/v2/") == V{"a+b"});  // a path's '+' is a '+'
  CHECK_FALSE(sevu::path_segments("/v3/x", "/v2/"));
  CHECK_FALSE(sevu::path_segments("/v2/", "/v2/"));
  CHECK_FALSE(sevu::path_segments("/v2/a//b", "/v2/"));
  CHECK_FALSE(sevu::path_segments("/v2/a/", "/v2/"));
  CHECK_FALSE(sevu::path_segments("/v2/a%zz", "/v2/"));
}

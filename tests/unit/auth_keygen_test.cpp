#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "auth/keygen.hpp"

using namespace sevu;

namespace {

const std::regex kTicketKey(R"(^([A-Za-z0-9_-]{1,64})\.[0-9a-f]{14}\.[0-9]{8}$)");

// The part before the first '.'; the prefix itself never contains one.
std::string prefix_of(const std::string& key) {
  return key.substr(0, key.find('.'));
}

}  // namespace

TEST_CASE("make_ticket_key: shape and prefix") {
  const std::string long_video(100, 'v');
  const std::map<std::string, std::string> cases = {
      {"mystream", "mystream"},
      {"foo*", "foo_"},
      {"a/b.mp4", "a_b_mp4"},
      {"live-1_HD", "live-1_HD"},
      {"caf\xc3\xa9", "caf_"},  // every character outside the set becomes one '_'
      {"\xf0\x9f\x8e\xa5 cam", "__cam"},
      {std::string(63, 'x') + "\xc3\xa9\xc3\xa9", std::string(63, 'x') + "_"},
      {"a b?c=d&e", "a_b_c_d_e"},
      {"...", "___"},
      {"*", "_"},
      {long_video, std::string(64, 'v')},
      {std::string(63, 'x') + "/y", std::string(63, 'x') + "_"},
      {"", "sevu"},  // an empty video still yields a non-empty prefix
  };
  for (const auto& [video, prefix] : cases) {
    CAPTURE(video);
    const std::string key = make_ticket_key(video);
    CAPTURE(key);
    CHECK(std::regex_match(key, kTicketKey));
    CHECK(prefix_of(key) == prefix);
  }
  CHECK(prefix_of(make_ticket_key(std::string("a\0b", 3))) == "a_b");
}

TEST_CASE("make_ticket_key: unique over 1000 draws") {
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = make_ticket_key("mystream");
    REQUIRE(std::regex_match(key, kTicketKey));
    keys.insert(key);
  }
  CHECK(keys.size() == 1000);
}

TEST_CASE("make_ticket_key: every digit appears, roughly evenly") {
  std::map<char, int> counts;
  const int keys = 2000;
  for (int i = 0; i < keys; ++i) {
    const std::string key = make_ticket_key("v");
    for (const char c : key.substr(key.size() - 8)) ++counts[c];
  }
  REQUIRE(counts.size() == 10);
  const double expected = keys * 8 / 10.0;  // 1600 per digit
  for (const auto& [digit, n] : counts) {
    CAPTURE(digit);
    CHECK(n > expected * 0.8);
    CHECK(n < expected * 1.2);
  }
}

TEST_CASE("make_api_key: 32 chars [A-Z0-9], unique, whole alphabet used") {
  const std::regex shape("^[A-Z0-9]{32}$");
  std::set<std::string> keys;
  std::map<char, int> counts;
  const int draws = 2000;
  for (int i = 0; i < draws; ++i) {
    const std::string key = make_api_key();
    REQUIRE(std::regex_match(key, shape));
    keys.insert(key);
    for (const char c : key) ++counts[c];
  }
  CHECK(keys.size() == static_cast<std::size_t>(draws));
  REQUIRE(counts.size() == 36);
  const double expected = draws * 32 / 36.0;  // ~1778 per character
  for (const auto& [c, n] : counts) {
    CAPTURE(c);
    CHECK(n > expected * 0.8);
    CHECK(n < expected * 1.2);
  }
}

TEST_CASE("make_secret: 64 lowercase hex chars, unique") {
  const std::regex shape("^[0-9a-f]{64}$");
  std::set<std::string> secrets;
  for (int i = 0; i < 1000; ++i) {
    const std::string secret = make_secret();
    REQUIRE(std::regex_match(secret, shape));
    secrets.insert(secret);
  }
  CHECK(secrets.size() == 1000);
}

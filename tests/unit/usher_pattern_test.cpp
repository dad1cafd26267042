// App/video patterns (docs/hooks.md): '*' matches any run, '/' included; the rest is
// literal and case-sensitive; '|' separates alternatives.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <string_view>

#include "usher/pattern.hpp"

using sevu::usher::glob_match;
using sevu::usher::pattern_list_match;

namespace {

// The obvious recursive definition, exponential in the worst case: fine for the
// short random inputs it checks the real implementation against.
bool reference_match(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p[0] == '*') {
    for (size_t skip = 0; skip <= t.size(); ++skip) {
      if (reference_match(p.substr(1), t.substr(skip))) return true;
    }
    return false;
  }
  return !t.empty() && p[0] == t[0] && reference_match(p.substr(1), t.substr(1));
}

std::string random_string(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("literal patterns match only themselves") {
  CHECK(glob_match("mystream", "mystream"));
  CHECK_FALSE(glob_match("mystream", "mystream2"));
  CHECK_FALSE(glob_match("mystream", "mystrea"));
  CHECK_FALSE(glob_match("mystream", ""));
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "a"));
}

TEST_CASE("matching is case-sensitive") {
  CHECK_FALSE(glob_match("MyStream", "mystream"));
  CHECK_FALSE(glob_match("demo-*", "DEMO-origin"));
  CHECK(glob_match("demo-*", "demo-Origin"));
}

TEST_CASE("a star at the end, start or middle") {
  CHECK(glob_match("mystream_*", "mystream_720p"));
  CHECK(glob_match("mystream_*", "mystream_"));
  CHECK_FALSE(glob_match("mystream_*", "mystream"));
  CHECK(glob_match("*.mp4", "a/b/c.mp4"));
  CHECK(glob_match("*.mp4", ".mp4"));
  CHECK_FALSE(glob_match("*.mp4", "c.mp4x"));
  CHECK(glob_match("demo-*-vod", "demo-x-vod"));
  CHECK(glob_match("demo-*-vod", "demo--vod"));
  CHECK_FALSE(glob_match("demo-*-vod", "demo-vod"));  // head and tail may not overlap
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything/at/all"));
  CHECK(glob_match("**", ""));
}

TEST_CASE("a star crosses '/'") {
  CHECK(glob_match("sestore3/username/set1/*", "sestore3/username/set1/a.mp4"));
  CHECK(glob_match("sestore3/username/set1/*", "sestore3/username/set1/deep/er/a.mp4"));
  CHECK_FALSE(glob_match("sestore3/username/set1/*", "sestore3/username/set2/a.mp4"));
  CHECK(glob_match("sestore3/*/a.mp4", "sestore3/x/y/a.mp4"));
}

TEST_CASE("several stars") {
  CHECK(glob_match("a*b*c", "abc"));
  CHECK(glob_match("a*b*c", "aXXbYYc"));
  CHECK(glob_match("a*b*c", "abbbc"));
  CHECK_FALSE(glob_match("a*b*c", "acb"));
  CHECK(glob_match("*a*b*", "xxaxxbxx"));
  CHECK_FALSE(glob_match("*a*b*", "xxbxxaxx"));
  CHECK(glob_match("a*ab", "aab"));
  CHECK(glob_match("*ab*ab", "abab"));
  CHECK_FALSE(glob_match("*ab*ab", "aba"));
  CHECK(glob_match("*aa*a", "aaa"));
  CHECK_FALSE(glob_match("*aa*a", "aa"));
}

TEST_CASE("pipe lists: any alternative") {
  CHECK(pattern_list_match("myapp-vod|otherapp-*", "myapp-vod"));
  CHECK(pattern_list_match("myapp-vod|otherapp-*", "otherapp-live"));
  CHECK_FALSE(pattern_list_match("myapp-vod|otherapp-*", "myapp-live"));
  CHECK(pattern_list_match("file1.mp4|file2.mp4", "file2.mp4"));
  CHECK_FALSE(pattern_list_match("file1.mp4|file2.mp4", "file3.mp4"));
  CHECK(pattern_list_match("sestore3/username/set1/*|sestore3/username/set2/*",
                           "sestore3/username/set2/clip.mp4"));
}

TEST_CASE("an empty alternative matches only the empty string") {
  CHECK_FALSE(pattern_list_match("", "x"));
  CHECK(pattern_list_match("", ""));
  CHECK(pattern_list_match("a|", ""));
  CHECK(pattern_list_match("|a", ""));
  CHECK_FALSE(pattern_list_match("a||b", "c"));
  CHECK(pattern_list_match("a||b", ""));
  CHECK(pattern_list_match("a||b", "b"));
}

TEST_CASE("no blow-up on pathological patterns") {
  const std::string many_a(10000, 'a');
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(glob_match("a*a*a*a*a*a*a*b", many_a));
  CHECK(glob_match("a*a*a*a*a*a*a*a", many_a));
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab", many_a));
  std::string pattern;
  for (int i = 0; i < 500; ++i) pattern += "*a";
  CHECK_FALSE(pattern_list_match(pattern + "b|" + pattern + "c", many_a));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("random patterns agree with the recursive reference") {
  std::mt19937 rng(20240719);
  int matches = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string pattern = random_string(rng, "ab/*", 8);
    const std::string text = random_string(rng, "ab/", 10);
    const bool expected = reference_match(pattern, text);
    matches += expected ? 1 : 0;
    INFO("pattern=\"" << pattern << "\" text=\"" << text << "\"");
    REQUIRE(glob_match(pattern, text) == expected);
  }
  // The generator must exercise both outcomes or the comparison proves little.
  CHECK(matches > 1000);
  CHECK(matches < 19000);
}

TEST_CASE("random pipe lists agree with any-of the reference") {
  std::mt19937 rng(158);
  for (int i = 0; i < 5000; ++i) {
    const std::string list = random_string(rng, "ab*|", 12);
    const std::string text = random_string(rng, "ab", 6);
    bool expected = false;
    size_t begin = 0;
    while (true) {
      const size_t bar = list.find('|', begin);
      const std::string alt = list.substr(begin, bar == std::string::npos ? bar : bar - begin);
      expected = expected || reference_match(alt, text);
      if (bar == std::string::npos) break;
      begin = bar + 1;
    }
    INFO("list=\"" << list << "\" text=\"" << text << "\"");
    REQUIRE(pattern_list_match(list, text) == expected);
  }
}

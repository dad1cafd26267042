// The pure parts of the console: the login cookie and CSRF token, and the
// timeline's bucket arithmetic.
#include <doctest/doctest.h>

#include "console/login_token.hpp"
#include "console/timeline.hpp"

using namespace sevu;
using namespace sevu::console;

TEST_CASE("the login cookie is found among others, first one winning") {
  CHECK(cookie_value("sevu_console=abc", kCookieName) == std::optional<std::string>("abc"));
  CHECK(cookie_value("a=1; sevu_console=abc; b=2", kCookieName) == std::optional<std::string>("abc"));
  CHECK(cookie_value("a=1;sevu_console=\"q\"", kCookieName) == std::optional<std::string>("q"));
  CHECK(cookie_value("sevu_console=one; sevu_console=two", kCookieName) ==
        std::optional<std::string>("one"));
  CHECK(!cookie_value("", kCookieName));
  CHECK(!cookie_value("sevu_console=", kCookieName));
  CHECK(!cookie_value("xsevu_console=abc; sevu_consolex=d", kCookieName));
  CHECK(!cookie_value("sevu_console", kCookieName));
}

TEST_CASE("the cookie says HttpOnly, SameSite=Strict, its path and age; Secure over TLS") {
  CHECK(login_cookie("T", 28800, false) ==
        "sevu_console=T; Path=/console; HttpOnly; SameSite=Strict; Max-Age=28800");
  CHECK(login_cookie("T", 60, true) ==
        "sevu_console=T; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
  CHECK(cleared_cookie(false) ==
        "sevu_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST_CASE("tokens are fresh; the stored hash and the CSRF token differ from each other") {
  const std::string a = new_login_token(), b = new_login_token();
  CHECK(a.size() == 43);
  CHECK(a != b);
  CHECK(token_hash(a).size() == 64);
  CHECK(token_hash(a) == token_hash(a));
  CHECK(csrf_token(a) == csrf_token(a));
  CHECK(csrf_token(a) != csrf_token(b));
  CHECK(csrf_token(a) != token_hash(a));
}

TEST_CASE("the timeline steps a minute up to 6 hours, then keeps to 400 buckets") {
  CHECK(timeline_step(0, 3600) == 60);
  CHECK(timeline_step(1000, 1000 + 6 * 3600) == 60);
  for (int64_t range : {6 * 3600 + 1, 24 * 3600, 7 * 86400, 31 * 86400, 31 * 86400 - 7}) {
    for (int64_t from : {int64_t{0}, int64_t{1700000017}, int64_t{1700000059}}) {
      const int64_t step = timeline_step(from, from + range);
      CHECK(step % 60 == 0);
      CHECK(bucket_count(first_bucket(from, step), from + range, step) <= kMaxBuckets);
      // The smallest such step: one minute less would need too many buckets.
      if (step > 60)
        CHECK(bucket_count(first_bucket(from, step - 60), from + range, step - 60) > kMaxBuckets);
    }
  }
  CHECK(first_bucket(125, 60) == 120);
  CHECK(bucket_count(120, 239, 60) == 2);
  CHECK(bucket_count(120, 240, 60) == 3);
}

TEST_CASE("buckets become series: granted first, then reasons in order, zeros filled") {
  const std::vector<AttemptBucket> buckets = {{120, false, "b", 2}, {60, true, "", 5},
                                              {120, false, "a", 1}, {180, true, "", 1}};
  const auto series = to_series(buckets, 60, 60, 3);
  REQUIRE(series.size() == 3);
  CHECK(series[0].success);
  CHECK(series[0].counts == std::vector<int64_t>{5, 0, 1});
  CHECK(series[1].reason == "a");
  CHECK(series[1].counts == std::vector<int64_t>{0, 1, 0});
  CHECK(series[2].reason == "b");
  CHECK(series[2].counts == std::vector<int64_t>{0, 2, 0});
}

#include <doctest/doctest.h>

#include <ctime>
#include <random>
#include <string>

#include "core/datetime.hpp"

using sevu::format_datetime;
using sevu::parse_datetime;

namespace {

constexpr int64_t kNow = 1700000000;  // 2023-11-14 22:13:20 UTC

// Independent oracle: the C library's UTC conversion (fine single-threaded in a test).
std::string libc_format(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int64_t libc_parse(int year, int month, int day, int h = 0, int m = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

TEST_CASE("format_datetime: fixed values") {
  CHECK(format_datetime(0) == "0000-00-00 00:00:00");
  CHECK(format_datetime(1) == "1970-01-01 00:00:01");
  CHECK(format_datetime(-1) == "1969-12-31 23:59:59");
  CHECK(format_datetime(86400) == "1970-01-02 00:00:00");
  CHECK(format_datetime(951782400) == "2000-02-29 00:00:00");
  CHECK(format_datetime(1384971048) == "2013-11-20 18:10:48");
  CHECK(format_datetime(1721431360) == "2024-07-19 23:22:40");
  CHECK(format_datetime(4107542399) == "2100-02-28 23:59:59");
  CHECK(format_datetime(4107542400) == "2100-03-01 00:00:00");  // 2100 is not a leap year
  CHECK(format_datetime(253402300799) == "9999-12-31 23:59:59");
}

TEST_CASE("format_datetime: extreme values do not crash") {
  CHECK_FALSE(format_datetime(INT64_MAX).empty());
  CHECK_FALSE(format_datetime(INT64_MIN).empty());
}

TEST_CASE("format/parse agree with libc over random timestamps 1970..2200") {
  std::mt19937_64 rng(20240719);
  const int64_t end = libc_parse(2200, 12, 31, 23, 59, 59);
  std::uniform_int_distribution<int64_t> dist(1, end);
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = dist(rng);
    const std::string text = format_datetime(t);
    REQUIRE(text == libc_format(t));
    const auto back = parse_datetime(text, kNow);
    REQUIRE(back.has_value());
    REQUIRE(*back == t);
  }
}

TEST_CASE("every day of 1999..2005 and around 2100 round trips") {
  for (int64_t day = libc_parse(1999, 1, 1) / 86400; day < libc_parse(2005, 1, 1) / 86400; ++day) {
    const int64_t t = day * 86400 + 43199;
    REQUIRE(parse_datetime(format_datetime(t), 0) == t);
  }
  for (int64_t day = libc_parse(2099, 12, 1) / 86400; day < libc_parse(2100, 4, 1) / 86400; ++day) {
    REQUIRE(parse_datetime(format_datetime(day * 86400), 0) == day * 86400);
  }
}

TEST_CASE("parse: plain forms") {
  CHECK(parse_datetime("2013-11-20 18:10:48", kNow) == 1384971048);
  CHECK(parse_datetime("2013-11-20 18:10", kNow) == 1384971000);
  CHECK(parse_datetime("2013-11-20", kNow) == libc_parse(2013, 11, 20));
  CHECK(parse_datetime("1970-01-01 00:00:00", kNow) == 0);
  CHECK(parse_datetime("1969-12-31 23:59:59", kNow) == -1);
  CHECK(parse_datetime("9999-12-31 23:59:59", kNow) == 253402300799);
  CHECK(parse_datetime("  2013-11-20 18:10:48\n", kNow) == 1384971048);
}

TEST_CASE("parse: leap days") {
  CHECK(parse_datetime("2000-02-29", kNow) == libc_parse(2000, 2, 29));
  CHECK(parse_datetime("2024-02-29 12:00:00", kNow) == libc_parse(2024, 2, 29, 12));
  CHECK(parse_datetime("2400-02-29", kNow) == libc_parse(2400, 2, 29));
  CHECK_FALSE(parse_datetime("2023-02-29", kNow));
  CHECK_FALSE(parse_datetime("1900-02-29", kNow));
  CHECK_FALSE(parse_datetime("2100-02-29", kNow));
  CHECK_FALSE(parse_datetime("2024-02-30", kNow));
}

TEST_CASE("parse: impossible dates and times") {
  for (const char* bad :
       {"2023-02-30", "2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31", "2023-13-01",
        "2023-00-10", "2023-01-00", "2023-01-32", "0000-00-00 00:00:00", "2023-01-01 24:00:00",
        "2023-01-01 23:60:00", "2023-01-01 23:59:60", "2023-01-01 -1:00:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
}

TEST_CASE("parse: ISO 8601 variants") {
  const int64_t t = libc_parse(2024, 7, 19, 23, 22, 40);
  CHECK(parse_datetime("2024-07-19T23:22:40", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22:40Z", kNow) == t);
  CHECK(parse_datetime("2024-07-19t23:22:40z", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22:40.123Z", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22:40.999999999Z", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22:40.5", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22", kNow) == t - 40);
  CHECK(parse_datetime("2024-07-19T23:22:40+00:00", kNow) == t);
  CHECK(parse_datetime("2024-07-19T23:22:40-00:00", kNow) == t);
  CHECK(parse_datetime("2024-07-20T01:22:40+02:00", kNow) == t);
  CHECK(parse_datetime("2024-07-20T01:22:40+0200", kNow) == t);
  CHECK(parse_datetime("2024-07-19T18:52:40-04:30", kNow) == t);
  CHECK(parse_datetime("2024-07-19T18:52:40.25-0430", kNow) == t);
  // Offsets may cross a day, month and year boundary.
  CHECK(parse_datetime("2025-01-01T01:00:00+02:00", kNow) == libc_parse(2024, 12, 31, 23));
  CHECK(parse_datetime("2024-02-28T23:00:00-01:00", kNow) == libc_parse(2024, 2, 29));
}

TEST_CASE("parse: malformed ISO forms") {
  for (const char* bad :
       {"2024-07-19T23:22:40.", "2024-07-19T23:22:40.1234567890", "2024-07-19T23:22:40+2",
        "2024-07-19T23:22:40+02", "2024-07-19T23:22:40+02:", "2024-07-19T23:22:40+24:00",
        "2024-07-19T23:22:40+02:60", "2024-07-19T23:22:40ZZ", "2024-07-19T23:22:40Z+01:00",
        "2024-07-19T", "2024-07-19T23", "2024-07-19T23:2", "2024-07-19Z", "2024-07-19X23:22:40",
        "2024-07-19  23:22:40", "2024-07-19T23:22.5", "2024-07-19T23:22:40 +02:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
}

TEST_CASE("parse: relative forms") {
  CHECK(parse_datetime("+1 week", kNow) == kNow + 7 * 86400);
  CHECK(parse_datetime("+1 weeks", kNow) == kNow + 7 * 86400);
  CHECK(parse_datetime("2 weeks", kNow) == kNow + 14 * 86400);
  CHECK(parse_datetime("+30 seconds", kNow) == kNow + 30);
  CHECK(parse_datetime("1 second", kNow) == kNow + 1);
  CHECK(parse_datetime("+5 MINUTES", kNow) == kNow + 300);
  CHECK(parse_datetime("+2 Hour", kNow) == kNow + 7200);
  CHECK(parse_datetime("3 days", kNow) == kNow + 3 * 86400);
  CHECK(parse_datetime("+1 month", kNow) == kNow + 30 * 86400);
  CHECK(parse_datetime("+2 years", kNow) == kNow + 2 * 365 * 86400);
  CHECK(parse_datetime("+0 days", kNow) == kNow);
  CHECK(parse_datetime("+007 days", kNow) == kNow + 7 * 86400);
  CHECK(parse_datetime("+1day", kNow) == kNow + 86400);
  CHECK(parse_datetime(" +1 day ", kNow) == kNow + 86400);
  CHECK(parse_datetime("+1 day", 0) == 86400);
}

TEST_CASE("parse: rejected relative forms") {
  for (const char* bad : {"-1 day", "- 1 day", "+ 1 day", "+1", "1", "+day", "day", "+1 fortnight",
                          "+1 dayss", "+1 s", "+1 day ago", "+1.5 days", "++1 day", "+1 day+1 day",
                          "+1e3 days", "+-1 day", "now", "tomorrow"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
}

TEST_CASE("parse: huge counts are rejected, never overflow") {
  CHECK_FALSE(parse_datetime("+99999999999999999999999 years", kNow));
  CHECK_FALSE(parse_datetime("+1000000001 seconds", kNow));
  CHECK_FALSE(parse_datetime("+1000000000 years", kNow));  // beyond year 9999
  CHECK_FALSE(parse_datetime("+1 second", INT64_MAX));
  CHECK(parse_datetime("+1000000000 seconds", kNow) == kNow + 1000000000);
}

TEST_CASE("parse: garbage") {
  for (const char* bad :
       {"", " ", "garbage", "2024", "2024-07", "2024-7-19", "24-07-19", "2024/07/19",
        "2024-07-19 23:22:40x", "2024-07-19 23:22:40 junk", "2024-07-19x", "x2024-07-19",
        "20240719", "१९७०-01-01", "-2024-07-19", "+2024-07-19", "12024-07-19"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
  // An embedded NUL is garbage too (a C string literal would hide it).
  CHECK_FALSE(parse_datetime(std::string_view("2024-07-19\0", 11), kNow));
}

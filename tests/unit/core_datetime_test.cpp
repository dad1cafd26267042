#include <doctest/doctest.h>

#include <ctime>
#include <random>
#include <string>

#include "core/datetime.hpp"

using sevu::format_date;
using sevu::format_datetime;
using sevu::kMaxDatetime;
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

TEST_CASE("format_date: 0 is a date, not never") {
  CHECK(format_date(0) == "1970-01-01 00:00:00");
  CHECK(format_date(1384971048) == "2013-11-20 18:10:48");
  CHECK(format_date(kMaxDatetime) == "9999-12-31 23:59:59");
}

TEST_CASE("format_datetime: fixed values") {
  CHECK(format_datetime(0) == "0000-00-00 00:00:00");
  CHECK(format_datetime(1) == "1970-01-01 00:00:01");
  CHECK(format_datetime(86400) == "1970-01-02 00:00:00");
  CHECK(format_datetime(951782400) == "2000-02-29 00:00:00");
  CHECK(format_datetime(1384971048) == "2013-11-20 18:10:48");
  CHECK(format_datetime(1721431360) == "2024-07-19 23:22:40");
  CHECK(format_datetime(4107542399) == "2100-02-28 23:59:59");
  CHECK(format_datetime(4107542400) == "2100-03-01 00:00:00");  // 2100 is not a leap year
  CHECK(format_datetime(253402300799) == "9999-12-31 23:59:59");
}

TEST_CASE("format_datetime: never writes a year outside 1970..9999") {
  // Such values only come from databases written before dates were checked.
  CHECK(format_datetime(-1) == "1970-01-01 00:00:00");
  CHECK(format_datetime(INT64_MIN) == "1970-01-01 00:00:00");
  CHECK(format_datetime(253402300800) == "9999-12-31 23:59:59");
  CHECK(format_datetime(INT64_MAX) == "9999-12-31 23:59:59");
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
  CHECK_FALSE(parse_datetime("1969-12-31 23:59:59", kNow));
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
  CHECK(parse_datetime("+1 month", kNow) == libc_parse(2023, 12, 14, 22, 13, 20));
  CHECK(parse_datetime("+2 years", kNow) == libc_parse(2025, 11, 14, 22, 13, 20));
  CHECK(parse_datetime("+0 days", kNow) == kNow);
  CHECK(parse_datetime("+007 days", kNow) == kNow + 7 * 86400);
  CHECK(parse_datetime("+1day", kNow) == kNow + 86400);
  CHECK(parse_datetime(" +1 day ", kNow) == kNow + 86400);
  CHECK(parse_datetime("+1 day", 0) == 86400);
}

TEST_CASE("parse: rejected relative forms") {
  for (const char* bad : {"- 1 day",   "+ 1 day",        "+1",           "1",         "+day",
                          "day",       "+1 fortnight",   "+1 dayss",     "+1 s",      "+1 day ago",
                          "+1.5 days", "++1 day",        "+1 day+1 day", "+1e3 days", "+-1 day",
                          "now now",   "tomorrow now",   "+1 day now",   "nowadays",  "now+1 day",
                          "yesterday", "+1 day,+1 hour", "+1 day +",     "now -",     "@",
                          "@-1",       "@1.5",           "@ 1",          "@1 day",    "1 @1"}) {
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

TEST_CASE("parse: years outside 1970..9999 are invalid, however written") {
  // 253402300800 is 10000-01-01 00:00:00; -1 is 1969-12-31 23:59:59.
  CHECK(parse_datetime("@253402300799", kNow) == 253402300799);
  CHECK(parse_datetime("@0", kNow) == 0);
  for (const char* bad :
       {"@253402300800", "@999999999999999999", "1969-12-31", "1969-12-31T23:59:59Z",
        "0000-01-01 00:00:00", "0001-01-01", "9999-12-31T23:59:59-00:01",
        "1970-01-01T00:59:59+01:00", "Fri, 31 Dec 9999 23:00:00 -0100",
        "Wed, 31 Dec 1969 23:59:59 +0000", "+8000 years", "-54 years", "-1000000000 years"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
  CHECK(parse_datetime("9999-12-31T23:59:59+01:00", kNow) == 253402300799 - 3600);
  CHECK(parse_datetime("1970-01-01T01:00:00+01:00", kNow) == 0);
  CHECK_FALSE(parse_datetime("+1 second", sevu::kMaxDatetime));
  CHECK(sevu::datetime_in_range(253402300799) == 253402300799);
  CHECK_FALSE(sevu::datetime_in_range(253402300800));
  CHECK_FALSE(sevu::datetime_in_range(-1));
  CHECK(sevu::datetime_in_range(0) == 0);
}

TEST_CASE("parse: RFC 2822, as PHP's date('r') writes it") {
  const int64_t t = libc_parse(2026, 12, 2, 10);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00 +0000", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00 GMT", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00 UT", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00 UTC", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00 Z", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00:00", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 10:00", kNow) == t);
  CHECK(parse_datetime("02 Dec 2026 10:00:00 +0000", kNow) == t);
  CHECK(parse_datetime("Wed, 2 Dec 2026 10:00:00 +0000", kNow) == t);
  CHECK(parse_datetime("wed,02 dec 2026 10:00:00 gmt", kNow) == t);
  CHECK(parse_datetime("WED, 02 DEC 2026  10:00:00  +0000", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 12:30:00 +0230", kNow) == t);
  CHECK(parse_datetime("Wed, 02 Dec 2026 05:00:00 -0500", kNow) == t);
  CHECK(parse_datetime("Thu, 03 Dec 2026 01:00:00 +1500", kNow) == t);
  CHECK(parse_datetime("Thu, 01 Jan 1970 00:00:00 +0000", kNow) == 0);
  CHECK(parse_datetime("Fri, 31 Dec 9999 23:59:59 +0000", kNow) == 253402300799);
  CHECK(parse_datetime("Thu, 29 Feb 2024 00:00:00 +0000", kNow) == libc_parse(2024, 2, 29));
  // Every month name.
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 1; m <= 12; ++m) {
    CAPTURE(m);
    CHECK(parse_datetime(std::string("15 ") + months[m - 1] + " 2030 08:00:00 +0000", kNow) ==
          libc_parse(2030, m, 15, 8));
  }
}

TEST_CASE("parse: malformed RFC 2822") {
  for (const char* bad :
       {"Thu, 02 Dec 2026 10:00:00 +0000",  // 2026-12-02 is a Wednesday
        "Wednesday, 02 Dec 2026 10:00:00 +0000", "Wed 02 Dec 2026 10:00:00 +0000",
        "Wed, 02 December 2026 10:00:00 +0000", "Wed, 02 Dez 2026 10:00:00 +0000",
        "Wed, 002 Dec 2026 10:00:00 +0000", "Wed, 02 Dec 26 10:00:00 +0000",
        "Wed, 02 Dec 2026 10:00:00 +00", "Wed, 02 Dec 2026 10:00:00 EST",
        "Wed, 02 Dec 2026 10:00:00 +0000 junk", "Wed, 02 Dec 2026", "Wed, 02 Dec 2026 10",
        "Wed, 02 Dec 2026 24:00:00 +0000", "Wed, 02 Dec 2026 10:00:00.5 +0000",
        "Mon, 31 Feb 2026 10:00:00 +0000", "Wed, 02Dec 2026 10:00:00 +0000",
        "Wed, 02 Dec 2026 10:00:00+0000", ", 02 Dec 2026 10:00:00 +0000"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_datetime(bad, kNow));
  }
}

TEST_CASE("parse: now, tomorrow, @unix") {
  CHECK(parse_datetime("now", kNow) == kNow);
  CHECK(parse_datetime("NOW", kNow) == kNow);
  // kNow is 2023-11-14 22:13:20: tomorrow is the next midnight.
  CHECK(parse_datetime("tomorrow", kNow) == libc_parse(2023, 11, 15));
  CHECK(parse_datetime("Tomorrow", libc_parse(2023, 11, 14)) == libc_parse(2023, 11, 15));
  CHECK(parse_datetime("@1700000000", 0) == 1700000000);
  CHECK(parse_datetime(" @1 ", kNow) == 1);
  CHECK_FALSE(parse_datetime("now", -1));
  CHECK_FALSE(parse_datetime("tomorrow", INT64_MAX));
}

TEST_CASE("parse: months and years on the calendar, as PHP's strtotime counts them") {
  const int64_t jan31 = libc_parse(2023, 1, 31, 12);
  CHECK(parse_datetime("+1 month", jan31) == libc_parse(2023, 3, 3, 12));  // "February 31"
  CHECK(parse_datetime("+1 month", libc_parse(2024, 1, 31, 12)) == libc_parse(2024, 3, 2, 12));
  CHECK(parse_datetime("-1 month", libc_parse(2023, 3, 31)) == libc_parse(2023, 3, 3));
  CHECK(parse_datetime("+1 year", libc_parse(2024, 2, 29)) == libc_parse(2025, 3, 1));
  CHECK(parse_datetime("+12 months", jan31) == parse_datetime("+1 year", jan31));
  CHECK(parse_datetime("+13 months", jan31) == libc_parse(2024, 3, 2, 12));
  CHECK(parse_datetime("-11 months", libc_parse(2023, 12, 15)) == libc_parse(2023, 1, 15));
  CHECK(parse_datetime("-13 months", libc_parse(2023, 1, 15)) == libc_parse(2021, 12, 15));
  // Every term's months first, then the rest: "February 30" runs on to March 2.
  CHECK(parse_datetime("+1 month -1 day", jan31) == libc_parse(2023, 3, 2, 12));
  CHECK(parse_datetime("-1 day +1 month", jan31) == libc_parse(2023, 3, 2, 12));
}

TEST_CASE("parse: signed relative terms and sequences") {
  CHECK(parse_datetime("-1 day", kNow) == kNow - 86400);
  CHECK(parse_datetime("-2 hours", kNow) == kNow - 7200);
  CHECK(parse_datetime("+1 day +2 hours", kNow) == kNow + 86400 + 7200);
  CHECK(parse_datetime("+1 day -2 hours", kNow) == kNow + 86400 - 7200);
  CHECK(parse_datetime("1 year 2 months 3 weeks 4 days 5 hours 6 minutes 7 seconds", kNow) ==
        libc_parse(2025, 1, 14, 22, 13, 20) + 25 * 86400 + 5 * 3600 + 6 * 60 + 7);
  CHECK(parse_datetime("+1 week\t+1 day", kNow) == kNow + 8 * 86400);
  CHECK(parse_datetime("now +1 day", kNow) == kNow + 86400);
  CHECK(parse_datetime("tomorrow +10 hours", kNow) == libc_parse(2023, 11, 15, 10));
  CHECK(parse_datetime("tomorrow -1 second", kNow) == libc_parse(2023, 11, 14, 23, 59, 59));
  CHECK(parse_datetime("+1day +1hour", kNow) == kNow + 90000);
  // Many terms never overflow: each is capped, and the running sum is checked.
  std::string many;
  for (int i = 0; i < 100; ++i) many += "+1000000000 years ";
  CHECK_FALSE(parse_datetime(many, kNow));
}

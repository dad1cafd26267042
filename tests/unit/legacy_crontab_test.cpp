// The crontab grammar of segment_type "schedule": what it accepts, what each
// expression expands to, and that everything outside the grammar is refused.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "legacy/commands/stream_users/crontab.hpp"

using sevu::legacy::CronSchedule;
using sevu::legacy::CrontabResult;
using sevu::legacy::kMaxCrontabLength;
using sevu::legacy::parse_crontab;

namespace {

uint64_t bits(std::initializer_list<int> values) {
  uint64_t mask = 0;
  for (const int v : values) mask |= uint64_t{1} << v;
  return mask;
}

uint64_t range(int low, int high, int step = 1) {
  uint64_t mask = 0;
  for (int v = low; v <= high; v += step) mask |= uint64_t{1} << v;
  return mask;
}

CronSchedule parsed(const std::string& text) {
  const CrontabResult r = parse_crontab(text);
  INFO("expression: '", text, "' error: ", r.error);
  REQUIRE(r.schedule.has_value());
  CHECK(r.error.empty());
  return *r.schedule;
}

std::string rejected(const std::string& text) {
  const CrontabResult r = parse_crontab(text);
  INFO("expression: '", text, "'");
  CHECK_FALSE(r.schedule.has_value());
  CHECK_FALSE(r.error.empty());
  return r.error;
}

}  // namespace

TEST_CASE("the spec example: every 15 minutes") {
  const CronSchedule s = parsed("*/15 * * * *");
  CHECK(s.minute == bits({0, 15, 30, 45}));
  CHECK(s.hour == range(0, 23));
  CHECK(s.day_of_month == range(1, 31));
  CHECK(s.month == range(1, 12));
  CHECK(s.day_of_week == range(0, 6));
}

TEST_CASE("all stars select every value of every field") {
  const CronSchedule s = parsed("* * * * *");
  CHECK(s.minute == range(0, 59));
  CHECK(s.hour == range(0, 23));
  CHECK(s.day_of_month == range(1, 31));
  CHECK(s.month == range(1, 12));
  CHECK(s.day_of_week == range(0, 6));  // 7 folds into Sunday
}

TEST_CASE("single values at both ends of every field") {
  CronSchedule s = parsed("0 0 1 1 0");
  CHECK(s.minute == bits({0}));
  CHECK(s.hour == bits({0}));
  CHECK(s.day_of_month == bits({1}));
  CHECK(s.month == bits({1}));
  CHECK(s.day_of_week == bits({0}));

  s = parsed("59 23 31 12 6");
  CHECK(s.minute == bits({59}));
  CHECK(s.hour == bits({23}));
  CHECK(s.day_of_month == bits({31}));
  CHECK(s.month == bits({12}));
  CHECK(s.day_of_week == bits({6}));
}

TEST_CASE("day of week 7 is Sunday") {
  CHECK(parsed("0 0 * * 7").day_of_week == bits({0}));
  CHECK(parsed("0 0 * * 0,7").day_of_week == bits({0}));
  CHECK(parsed("0 0 * * 5-7").day_of_week == bits({0, 5, 6}));
  CHECK(parsed("0 0 * * 0-7").day_of_week == range(0, 6));
}

TEST_CASE("ranges, lists and steps") {
  CHECK(parsed("10-20 * * * *").minute == range(10, 20));
  CHECK(parsed("5,10,15 * * * *").minute == bits({5, 10, 15}));
  CHECK(parsed("0-30/10 * * * *").minute == bits({0, 10, 20, 30}));
  CHECK(parsed("1-10/3 * * * *").minute == bits({1, 4, 7, 10}));
  CHECK(parsed("*/20 */6 * * *").hour == bits({0, 6, 12, 18}));
  CHECK(parsed("* * */10 * *").day_of_month == bits({1, 11, 21, 31}));
  CHECK(parsed("* * * */3 *").month == bits({1, 4, 7, 10}));
  CHECK(parsed("* * * * */2").day_of_week == bits({0, 2, 4, 6}));
  // A list mixing every item form.
  CHECK(parsed("0,5-7,*/30,40-50/5 * * * *").minute == (bits({0, 5, 6, 7, 30, 40, 45, 50})));
  // A range of one value and duplicate items are harmless.
  CHECK(parsed("7-7,7 * * * *").minute == bits({7}));
  // Steps equal to the field span select only the first value.
  CHECK(parsed("*/60 */24 */31 */12 */8").minute == bits({0}));
  CHECK(parsed("0-10/20 * * * *").minute == bits({0}));
}

TEST_CASE("N/step runs from N to the end of the field") {
  CHECK(parsed("5/15 * * * *").minute == bits({5, 20, 35, 50}));
  CHECK(parsed("* 20/2 * * *").hour == bits({20, 22}));
  CHECK(parsed("* * 30/1 * *").day_of_month == bits({30, 31}));
  CHECK(parsed("* * * 6/3 *").month == bits({6, 9, 12}));
  CHECK(parsed("* * * * 1/2").day_of_week == bits({1, 3, 5, 0}));  // 1,3,5,7
  CHECK(parsed("* * * jun/3 *").month == bits({6, 9, 12}));
}

TEST_CASE("month and weekday names, any case") {
  CHECK(parsed("0 0 1 jan *").month == bits({1}));
  CHECK(parsed("0 0 1 DEC *").month == bits({12}));
  CHECK(parsed("0 0 1 Mar-May *").month == bits({3, 4, 5}));
  CHECK(parsed("0 0 1 jan,apr,jul,oct *").month == bits({1, 4, 7, 10}));
  CHECK(parsed("0 0 1 jan-dec/6 *").month == bits({1, 7}));
  CHECK(parsed("0 0 * * sun").day_of_week == bits({0}));
  CHECK(parsed("0 0 * * SAT").day_of_week == bits({6}));
  CHECK(parsed("0 0 * * mon-fri").day_of_week == range(1, 5));
  CHECK(parsed("0 0 * * Mon,wEd,FRI").day_of_week == bits({1, 3, 5}));
  CHECK(parsed("0 0 * * fri-7").day_of_week == bits({0, 5, 6}));  // names and numbers mix
  CHECK(parsed("0 0 * 2-apr *").month == bits({2, 3, 4}));
  const char* const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    CHECK(parsed(std::string("0 0 1 ") + months[i] + " *").month == bits({i + 1}));
  }
  const char* const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (int i = 0; i < 7; ++i) {
    CHECK(parsed(std::string("0 0 * * ") + days[i]).day_of_week == bits({i}));
  }
}

TEST_CASE("leading zeros are plain numbers") {
  const CronSchedule s = parsed("00 05 01 02 03");
  CHECK(s.minute == bits({0}));
  CHECK(s.hour == bits({5}));
  CHECK(s.day_of_month == bits({1}));
  CHECK(s.month == bits({2}));
  CHECK(s.day_of_week == bits({3}));
}

TEST_CASE("several spaces and tabs separate fields") {
  CHECK(parsed("*/15  *\t*\t \t* *").minute == bits({0, 15, 30, 45}));
  CHECK(parsed("0\t12\t*\t*\t1-5").hour == bits({12}));
}

TEST_CASE("the number of fields must be exactly five") {
  rejected("");
  rejected("*");
  rejected("* * * *");
  CHECK(rejected("* * * * * *").find("got 6") != std::string::npos);  // no seconds/year field
  rejected("0 0 12 * * ? 2024");
  rejected("* * * * * /bin/true");  // a crontab line, not an expression
}

TEST_CASE("@ macros are refused") {
  for (const char* macro : {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                            "@hourly", "@reboot", "@every 5m"}) {
    rejected(macro);
  }
}

TEST_CASE("values out of range name the field") {
  CHECK(rejected("60 * * * *").find("minute") != std::string::npos);
  CHECK(rejected("* 24 * * *").find("hour: 24 is out of range 0-23") != std::string::npos);
  CHECK(rejected("* * 0 * *").find("day of month") != std::string::npos);
  rejected("* * 32 * *");
  CHECK(rejected("* * * 0 *").find("month") != std::string::npos);
  rejected("* * * 13 *");
  CHECK(rejected("* * * * 8").find("day of week") != std::string::npos);
  rejected("0-60 * * * *");
  rejected("* 0-24 * * *");
  rejected("99999999999999999999 * * * *");  // no overflow
  rejected("00060 * * * *");
}

TEST_CASE("reversed ranges are refused") {
  CHECK(rejected("30-10 * * * *").find("reversed") != std::string::npos);
  rejected("* 23-1 * * *");
  rejected("* * * dec-jan *");
  rejected("* * * * fri-mon");
  rejected("* * * * 7-1");  // 7 is Sunday only as a value, not as the start of a wrap
}

TEST_CASE("steps must be at least 1 and at most the field span") {
  CHECK(rejected("*/0 * * * *").find("step") != std::string::npos);
  rejected("0-30/0 * * * *");
  rejected("*/61 * * * *");
  rejected("* */25 * * *");
  rejected("* * */32 * *");
  rejected("* * * */13 *");
  rejected("* * * * */9");
  rejected("*/ * * * *");
  rejected("*/-1 * * * *");
  rejected("*/x * * * *");
  rejected("*/jan * * * *");
  rejected("*/2/3 * * * *");
  rejected("1-5/2/2 * * * *");
}

TEST_CASE("empty list items are refused") {
  CHECK(rejected("1,,2 * * * *").find("empty") != std::string::npos);
  rejected(",1 * * * *");
  rejected("1, * * * *");
  rejected("1 , 2 * * *");  // a space inside a list makes extra fields
  rejected(", * * * *");
}

TEST_CASE("malformed items are refused") {
  rejected("- * * * *");
  rejected("5- * * * *");
  rejected("-5 * * * *");
  rejected("1-2-3 * * * *");
  rejected("*-5 * * * *");
  rejected("5-* * * * *");
  rejected("** * * * *");
  rejected("*5 * * * *");
  rejected("5* * * * *");
  rejected("/5 * * * *");
  rejected("1.5 * * * *");
  rejected("+5 * * * *");
  rejected("0x1 * * * *");
  rejected("5a * * * *");
}

TEST_CASE("names only where the field has them, and only the 3-letter forms") {
  CHECK(rejected("jan * * * *").find("minute") != std::string::npos);
  rejected("* mon * * *");
  rejected("* * mon * *");
  rejected("* * * sun *");  // a weekday name in the month field
  rejected("* * * * jan");  // a month name in the weekday field
  rejected("* * * january *");
  rejected("* * * * monday");
  rejected("* * * ja *");
  rejected("* * * * su");
  rejected("* * * * xyz");
}

TEST_CASE("Quartz and other extensions are refused") {
  rejected("0 0 L * *");
  rejected("0 0 15W * *");
  rejected("0 0 * * 5L");
  rejected("0 0 * * 1#2");
  rejected("0 0 ? * *");
  rejected("0 0 * * ?");
  rejected("H * * * *");
  rejected("0 0 LW * *");
}

TEST_CASE("stray whitespace and trailing junk are refused") {
  CHECK(rejected(" * * * * *").find("whitespace") != std::string::npos);
  rejected("* * * * * ");
  rejected("\t* * * * *");
  rejected("* * * * *\n");
  rejected("* * * * *\r\n");
  rejected("*\n* * * *");
  rejected("*\r* * * *");
  rejected("*\v* * * *");
  rejected("*\f* * * *");
  rejected("* * * * * #comment");
  rejected("* * * * *;");
  rejected(std::string("* * * * *\0", 10));
  rejected("* * * * \xc2\xa0*");  // non-breaking space
  rejected("*/15 * * * * ;rm -rf /");
}

TEST_CASE("overlong input is refused") {
  std::string list = "0";
  while (list.size() <= kMaxCrontabLength) list += ",0";
  CHECK(rejected(list + " * * * *").find("longer") != std::string::npos);
  // Within the limit, a long list is fine.
  std::string all = "0";
  for (int m = 1; m < 60; ++m) all += "," + std::to_string(m);
  CHECK(parsed(all + " * * * *").minute == range(0, 59));
}

TEST_CASE("a schedule exactly when the expression is valid") {
  CHECK(parse_crontab("*/15 * * * *").schedule.has_value());
  CHECK(parse_crontab("30 4 1,15 * 5").schedule.has_value());
  CHECK_FALSE(parse_crontab("*/15 * * *").schedule.has_value());
  CHECK_FALSE(parse_crontab("@daily").schedule.has_value());
}

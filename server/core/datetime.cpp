// Calendar arithmetic without gmtime/timegm (no global state, no TZ lookups),
// using the days-from-civil algorithms of H. Hinnant on the proleptic
// Gregorian calendar.
#include "core/datetime.hpp"

#include <cstdio>

namespace sevu {

namespace {

constexpr int64_t kSecondsPerDay = 86400;

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 for a valid civil date.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned days_in_month(int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Every accepted result must be writable back in the 4-digit wire format.
constexpr int64_t kMinTime = days_from_civil(0, 1, 1) * kSecondsPerDay;
constexpr int64_t kMaxTime = days_from_civil(9999, 12, 31) * kSecondsPerDay + kSecondsPerDay - 1;

std::optional<int64_t> in_wire_range(int64_t t) {
  if (t < kMinTime || t > kMaxTime) return std::nullopt;
  return t;
}

// Reads an absolute date left to right; every reader returns false on a mismatch.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool done() const { return i_ == s_.size(); }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }
  bool take_any(std::string_view chars, char* got) {
    if (i_ >= s_.size() || chars.find(s_[i_]) == std::string_view::npos) return false;
    *got = s_[i_++];
    return true;
  }
  // Exactly n digits.
  bool number(std::size_t n, int64_t* out) {
    if (s_.size() - i_ < n) return false;
    int64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s_[i_ + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    *out = v;
    return true;
  }
  // At least one digit, at most max; the value is not needed (sub-second part).
  bool skip_digits(std::size_t max) {
    std::size_t n = 0;
    while (i_ < s_.size() && n <= max && s_[i_] >= '0' && s_[i_] <= '9') ++i_, ++n;
    return n >= 1 && n <= max;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// date [(' ' | 'T') HH:MM[:SS[.fraction]][Z | ±HH:MM | ±HHMM]]
std::optional<int64_t> parse_absolute(std::string_view text) {
  Scanner in(text);
  int64_t year = 0, month = 0, day = 0;
  if (!in.number(4, &year) || !in.take('-') || !in.number(2, &month) || !in.take('-') ||
      !in.number(2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12) return std::nullopt;
  const auto m = static_cast<unsigned>(month);
  if (day < 1 || day > days_in_month(year, m)) return std::nullopt;
  const int64_t midnight = days_from_civil(year, m, static_cast<unsigned>(day)) * kSecondsPerDay;
  if (in.done()) return in_wire_range(midnight);

  char sep = 0;
  if (!in.take_any(" Tt", &sep)) return std::nullopt;
  int64_t hour = 0, minute = 0, second = 0;
  if (!in.number(2, &hour) || !in.take(':') || !in.number(2, &minute)) return std::nullopt;
  if (in.take(':')) {
    if (!in.number(2, &second)) return std::nullopt;
    if (in.take('.') && !in.skip_digits(9)) return std::nullopt;  // sub-seconds are dropped
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  int64_t offset = 0;  // local time minus UTC
  char sign = 0;
  if (in.take('Z') || in.take('z')) {
    // UTC
  } else if (in.take_any("+-", &sign)) {
    int64_t oh = 0, om = 0;
    if (!in.number(2, &oh)) return std::nullopt;
    in.take(':');
    if (!in.number(2, &om) || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (sign == '-' ? -1 : 1);
  }
  if (!in.done()) return std::nullopt;
  return in_wire_range(midnight + hour * 3600 + minute * 60 + second - offset);
}

struct Unit {
  std::string_view name;
  int64_t seconds;
};
constexpr Unit kUnits[] = {
    {"second", 1},       {"minute", 60},        {"hour", 3600},        {"day", 86400},
    {"week", 7 * 86400}, {"month", 30 * 86400}, {"year", 365 * 86400},
};

// A count above this is nonsense for a ticket; the cap also keeps
// count * unit far from int64 overflow (1e9 * 365 days ~ 3.2e16).
constexpr int64_t kMaxRelativeCount = 1000000000;

bool equals_lower(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c =
        text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower_word[i]) return false;  // ASCII only: no locale, no surprises
  }
  return true;
}

// ['+'] digits [spaces] unit ['s']; "-N unit" is not accepted.
std::optional<int64_t> parse_relative(std::string_view text, int64_t now) {
  std::size_t i = 0;
  if (i < text.size() && text[i] == '+') ++i;
  const std::size_t digits_start = i;
  int64_t count = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    count = count * 10 + (text[i] - '0');
    if (count > kMaxRelativeCount) return std::nullopt;
    ++i;
  }
  if (i == digits_start) return std::nullopt;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;

  std::string_view unit = text.substr(i);
  if (!unit.empty() && (unit.back() == 's' || unit.back() == 'S')) unit.remove_suffix(1);
  for (const Unit& u : kUnits) {
    if (!equals_lower(unit, u.name)) continue;
    int64_t result = 0;
    if (__builtin_add_overflow(now, count * u.seconds, &result)) return std::nullopt;
    return in_wire_range(result);
  }
  return std::nullopt;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

// Years outside 0000..9999 (only from nonsense inputs) print with more digits or a sign.
std::string format_datetime(int64_t unix_seconds) {
  if (unix_seconds == 0) return "0000-00-00 00:00:00";
  // Floor division (times before 1970 belong to the previous day), written so
  // that even INT64_MIN cannot overflow.
  int64_t days = unix_seconds / kSecondsPerDay;
  int64_t secs = unix_seconds % kSecondsPerDay;
  if (secs < 0) {
    secs += kSecondsPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

// Beyond the header's list this also takes, as harmless supersets: surrounding
// whitespace, a space instead of 'T' in the ISO form (with fraction/offset),
// lowercase 't'/'z' (RFC 3339), "+HHMM" offsets and "+1day" without a space.
// Results outside 0000-01-01..9999-12-31 are rejected: they have no wire form.
std::optional<int64_t> parse_datetime(std::string_view text, int64_t now) {
  // Surrounding whitespace (e.g. a trailing newline from a form field) is not garbage.
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;

  // "2024-..." has '-' at index 4; a relative count never does.
  if (text.size() >= 5 && text[4] == '-') return parse_absolute(text);
  return parse_relative(text, now);
}

}  // namespace sevu

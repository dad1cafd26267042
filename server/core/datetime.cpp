// Calendar arithmetic without gmtime/timegm (no global state, no TZ lookups),
// using the days-from-civil algorithms of H. Hinnant on the proleptic
// Gregorian calendar.
#include "core/datetime.hpp"

#include "core/text.hpp"

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

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Floor division: a time before 1970 belongs to the day before.
constexpr int64_t day_of(int64_t unix_seconds) {
  return unix_seconds / kSecondsPerDay - (unix_seconds % kSecondsPerDay < 0 ? 1 : 0);
}

// Reads a date left to right; every reader returns false on a mismatch.
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
  // At least one whitespace character.
  bool spaces() {
    const std::size_t from = i_;
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    return i_ > from;
  }
  // Takes the next word when it is lower_word (in any case), else nothing.
  bool take_word(std::string_view lower_word) {
    Scanner ahead = *this;
    if (!iequals(ahead.word(), lower_word)) return false;
    *this = ahead;
    return true;
  }
  // A run of ASCII letters, possibly empty.
  std::string_view word() {
    const std::size_t from = i_;
    while (i_ < s_.size() && is_letter(s_[i_])) ++i_;
    return s_.substr(from, i_ - from);
  }
  // Exactly n digits; a digit may follow (as in "+0200").
  bool number(std::size_t n, int64_t* out) {
    if (s_.size() - i_ < n) return false;
    int64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (!is_digit(s_[i_ + k])) return false;
      v = v * 10 + (s_[i_ + k] - '0');
    }
    i_ += n;
    *out = v;
    return true;
  }
  // All the digits there are, which must be min..max of them.
  bool number(std::size_t min, std::size_t max, int64_t* out) {
    std::size_t n = 0;
    while (i_ + n < s_.size() && is_digit(s_[i_ + n])) ++n;
    if (n < min || n > max) return false;
    return number(n, out);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// Seconds since 1970 of a calendar date and time, or nullopt when it does not exist.
std::optional<int64_t> civil_time(int64_t year, int64_t month, int64_t day, int64_t hour,
                                  int64_t minute, int64_t second) {
  if (month < 1 || month > 12) return std::nullopt;
  const auto m = static_cast<unsigned>(month);
  if (day < 1 || day > days_in_month(year, m)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return days_from_civil(year, m, static_cast<unsigned>(day)) * kSecondsPerDay + hour * 3600 +
         minute * 60 + second;
}

// HH:MM[:SS]; with_fraction also takes ISO's [.fraction] after the seconds.
bool read_clock(Scanner& in, bool with_fraction, int64_t* h, int64_t* m, int64_t* s) {
  if (!in.number(2, h) || !in.take(':') || !in.number(2, m)) return false;
  if (!in.take(':')) return true;
  if (!in.number(2, s)) return false;
  if (with_fraction && in.take('.')) {
    int64_t ignored = 0;  // sub-seconds are dropped
    return in.number(1, 9, &ignored);
  }
  return true;
}

// ±HH:MM or ±HHMM: local time minus UTC, in seconds.
bool read_numeric_offset(Scanner& in, int64_t* offset) {
  char sign = 0;
  int64_t oh = 0, om = 0;
  if (!in.take_any("+-", &sign) || !in.number(2, &oh)) return false;
  in.take(':');
  if (!in.number(2, &om) || oh > 23 || om > 59) return false;
  *offset = (oh * 60 + om) * 60 * (sign == '-' ? -1 : 1);
  return true;
}

// date [(' ' | 'T') HH:MM[:SS[.fraction]][Z | ±HH:MM | ±HHMM]]
std::optional<int64_t> parse_absolute(std::string_view text) {
  Scanner in(text);
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.number(4, &year) || !in.take('-') || !in.number(2, &month) || !in.take('-') ||
      !in.number(2, &day)) {
    return std::nullopt;
  }
  int64_t offset = 0;
  char sep = 0;
  if (!in.done()) {
    if (!in.take_any(" Tt", &sep) || !read_clock(in, true, &hour, &minute, &second))
      return std::nullopt;
    if (!in.take('Z') && !in.take('z') && !in.done() && !read_numeric_offset(in, &offset))
      return std::nullopt;
    if (!in.done()) return std::nullopt;
  }
  auto t = civil_time(year, month, day, hour, minute, second);
  if (!t) return std::nullopt;
  return datetime_in_range(*t - offset);
}

// Index of word in names, compared case-insensitively; -1 when absent.
template <std::size_t N>
int index_of(const std::string_view (&names)[N], std::string_view word) {
  for (std::size_t i = 0; i < N; ++i) {
    if (iequals(word, names[i])) return static_cast<int>(i);
  }
  return -1;
}

// Day 0, 1970-01-01, was a Thursday.
constexpr std::string_view kWeekdays[] = {"thu", "fri", "sat", "sun", "mon", "tue", "wed"};
constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

// The zone of an RFC 2822 date: ±HHMM, or a name that means UTC.
bool read_rfc2822_zone(Scanner& in, int64_t* offset) {
  if (in.peek('+') || in.peek('-')) return read_numeric_offset(in, offset);
  const std::string_view name = in.word();
  *offset = 0;
  return iequals(name, "gmt") || iequals(name, "ut") || iequals(name, "utc") || iequals(name, "z");
}

// [Wed, ]02 Dec 2026 10:00[:00] [zone] — what PHP's date('r') and mail headers write.
std::optional<int64_t> parse_rfc2822(std::string_view text) {
  Scanner in(text);
  int weekday = -1;
  if (const std::string_view name = in.word(); !name.empty()) {
    weekday = index_of(kWeekdays, name);
    if (weekday < 0 || !in.take(',')) return std::nullopt;
    in.spaces();
  }
  int64_t day = 0, year = 0, hour = 0, minute = 0, second = 0, offset = 0;
  if (!in.number(1, 2, &day) || !in.spaces()) return std::nullopt;
  const int month = index_of(kMonths, in.word()) + 1;
  if (month == 0 || !in.spaces() || !in.number(4, &year) || !in.spaces() ||
      !read_clock(in, false, &hour, &minute, &second)) {
    return std::nullopt;
  }
  if (!in.done() && (!in.spaces() || !read_rfc2822_zone(in, &offset) || !in.done()))
    return std::nullopt;
  auto t = civil_time(year, month, day, hour, minute, second);
  if (!t) return std::nullopt;
  // A weekday that is not the date's leaves it unclear which one was meant.
  if (weekday >= 0 && (day_of(*t) % 7 + 7) % 7 != weekday) return std::nullopt;
  return datetime_in_range(*t - offset);
}

// "@1700000000", as PHP's strtotime reads unix seconds.
std::optional<int64_t> parse_unix(std::string_view text) {
  Scanner in(text);
  int64_t t = 0;
  if (!in.take('@') || !in.number(1, 18, &t) || !in.done()) return std::nullopt;
  return datetime_in_range(t);
}

// A relative term's unit: a fixed number of seconds, or calendar months
// (a year is twelve), which PHP's strtotime counts on the calendar.
struct Unit {
  std::string_view name;
  int64_t seconds;  // 0: months
  int64_t months;
};
constexpr Unit kUnits[] = {
    {"second", 1, 0},       {"minute", 60, 0}, {"hour", 3600, 0}, {"day", 86400, 0},
    {"week", 7 * 86400, 0}, {"month", 0, 1},   {"year", 0, 12},
};

// A count above this is nonsense for a ticket; the cap also keeps
// count * unit far from int64 overflow (1e9 * 7 days ~ 6e14).
constexpr int64_t kMaxRelativeCount = 1000000000;

// What a sequence of relative terms adds: calendar months, then seconds.
struct Relative {
  int64_t months = 0;
  int64_t seconds = 0;
};

// [+|-]N[spaces]unit[s], added to `sum`.
bool read_relative_term(Scanner& in, Relative* sum) {
  char sign = '+';
  in.take_any("+-", &sign);
  int64_t count = 0;
  if (!in.number(1, 10, &count) || count > kMaxRelativeCount) return false;
  in.spaces();
  std::string_view unit = in.word();
  if (!unit.empty() && ascii_lower(unit.back()) == 's') unit.remove_suffix(1);
  const int64_t signed_count = sign == '-' ? -count : count;
  for (const Unit& u : kUnits) {
    if (!iequals(unit, u.name)) continue;
    return !__builtin_add_overflow(sum->months, signed_count * u.months, &sum->months) &&
           !__builtin_add_overflow(sum->seconds, signed_count * u.seconds, &sum->seconds);
  }
  return false;
}

// t moved by whole calendar months as PHP does it: the month changes, the day
// of the month and the time stay, and a day the month does not have runs on
// into the next (January 31 + 1 month = March 3, or 2 in a leap year).
std::optional<int64_t> add_months(int64_t t, int64_t months) {
  constexpr int64_t kMaxMonths = 12 * 20000;  // far past any date in range
  if (months > kMaxMonths || months < -kMaxMonths) return std::nullopt;
  const int64_t day = day_of(t);
  const CivilDate date = civil_from_days(day);
  const int64_t index = date.year * 12 + (date.month - 1) + months;  // months since year 0
  const int64_t year = (index >= 0 ? index : index - 11) / 12;
  const auto month = static_cast<unsigned>(index - year * 12 + 1);
  const int64_t days = days_from_civil(year, month, 1) + (date.day - 1);
  return days * kSecondsPerDay + (t - day * kSecondsPerDay);
}

// ["now" | "tomorrow"] then relative terms, separated by spaces; at least one of them.
std::optional<int64_t> parse_relative(std::string_view text, int64_t now) {
  Scanner in(text);
  int64_t t = now;
  bool first = true;
  if (in.take_word("now")) {
    first = false;
  } else if (in.take_word("tomorrow")) {
    first = false;
    if (__builtin_mul_overflow(day_of(now) + 1, kSecondsPerDay, &t)) return std::nullopt;
  }
  Relative sum;
  while (!in.done() || first) {
    if ((!first && !in.spaces()) || !read_relative_term(in, &sum)) return std::nullopt;
    first = false;
  }
  // As PHP's strtotime: the months of every term first, then the rest.
  const std::optional<int64_t> moved = add_months(t, sum.months);
  if (!moved || __builtin_add_overflow(*moved, sum.seconds, &t)) return std::nullopt;
  return datetime_in_range(t);
}

}  // namespace

std::optional<int64_t> datetime_in_range(int64_t unix_seconds) {
  if (unix_seconds < kMinDatetime || unix_seconds > kMaxDatetime) return std::nullopt;
  return unix_seconds;
}

// Digits put in place rather than through snprintf, whose format parsing cost
// about a thousand instructions a date: every ticket a signed write returns
// carries three, made by the writer that every signed write waits on
// (docs/performance.md, "Dates written without snprintf").
std::string format_datetime(int64_t unix_seconds) {
  if (unix_seconds == 0) return std::string(kNeverDatetime);
  return format_date(unix_seconds);
}

std::string format_date(int64_t unix_seconds) {
  std::string out(kNeverDatetime);  // the shape; every digit is written below
  const int64_t t = unix_seconds < kMinDatetime   ? kMinDatetime
                    : unix_seconds > kMaxDatetime ? kMaxDatetime
                                                  : unix_seconds;
  const CivilDate date = civil_from_days(t / kSecondsPerDay);  // years 1970..9999
  const int64_t secs = t % kSecondsPerDay;
  put_digits(&out[0], date.year, 4);
  put_digits(&out[5], date.month, 2);
  put_digits(&out[8], date.day, 2);
  put_digits(&out[11], secs / 3600, 2);
  put_digits(&out[14], secs / 60 % 60, 2);
  put_digits(&out[17], secs % 60, 2);
  return out;
}

// Beyond the header's list this also takes, as harmless supersets: a space
// instead of 'T' in the ISO form (with fraction/offset), lowercase 't'/'z'
// (RFC 3339), and "+1day" without a space. Each form's reader accepts all of
// the text or nothing, and no text fits two of them.
std::optional<int64_t> parse_datetime(std::string_view text, int64_t now) {
  // Surrounding whitespace (e.g. a trailing newline from a form field) is not garbage.
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() == '@') return parse_unix(text);
  if (auto t = parse_absolute(text)) return t;
  if (auto t = parse_rfc2822(text)) return t;
  return parse_relative(text, now);
}

}  // namespace sevu

// A strict recursive-descent reading of the grammar in crontab.hpp. Every
// failure names the field and the offending text, because the message is all a
// client gets back with code 11.
#include "legacy/commands/stream_users/crontab.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "core/text.hpp"

namespace sevu::legacy {

namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] stands for first_name_value + i; nullptr = numbers only
  int name_count;
  int first_name_value;
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kWeekdayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0, 0},
    {"hour", 0, 23, nullptr, 0, 0},
    {"day of month", 1, 31, nullptr, 0, 0},
    {"month", 1, 12, kMonthNames, 12, 1},
    {"day of week", 0, 7, kWeekdayNames, 7, 0},  // 7 = Sunday, as in every cron
}};

// Enough digits for any field; longer runs are reported as out of range
// without risking overflow.
constexpr std::size_t kMaxDigits = 4;

bool is_separator(char c) {
  return c == ' ' || c == '\t';
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Reads one item of one field; on failure leaves a message in error.
class ItemParser {
 public:
  ItemParser(const FieldSpec& spec, std::string_view item, std::string& error)
      : spec_(spec), item_(item), error_(error) {}

  // Adds the item's values to mask; false (with error set) if it is malformed.
  bool parse(uint64_t& mask) {
    if (item_.empty()) return fail("empty list item");
    int low = spec_.min;
    int high = spec_.max;
    if (peek() == '*') {
      ++pos_;
    } else {
      if (!value(low)) return false;
      high = low;
      if (peek() == '-') {
        ++pos_;
        if (!value(high)) return false;
        if (low > high) {
          return fail("reversed range " + std::to_string(low) + "-" + std::to_string(high) +
                      " in " + quoted(item_));
        }
      } else if (peek() == '/') {
        high = spec_.max;  // "N/S" runs from N to the end of the field
      }
    }
    int step = 1;
    if (peek() == '/') {
      ++pos_;
      if (!number(step, "step")) return false;
      const int span = spec_.max - spec_.min + 1;
      if (step < 1 || step > span) {
        return fail("step " + std::to_string(step) + " in " + quoted(item_) +
                    " must be between 1 and " + std::to_string(span));
      }
    }
    if (pos_ != item_.size()) {
      return fail("unexpected " + quoted(item_.substr(pos_, 1)) + " in " + quoted(item_));
    }
    for (int v = low; v <= high; v += step) mask |= uint64_t{1} << v;
    return true;
  }

 private:
  char peek() const { return pos_ < item_.size() ? item_[pos_] : '\0'; }

  bool fail(const std::string& why) {
    error_ = std::string(spec_.name) + ": " + why;
    return false;
  }

  // A number or (for month and day of week) a name, checked against the field's range.
  bool value(int& out) {
    if (std::isalpha(static_cast<unsigned char>(peek()))) return name(out);
    if (!number(out, "value")) return false;
    if (out < spec_.min || out > spec_.max) {
      return fail(std::to_string(out) + " is out of range " + std::to_string(spec_.min) + "-" +
                  std::to_string(spec_.max));
    }
    return true;
  }

  bool number(int& out, const char* what) {
    const std::size_t start = pos_;
    while (is_digit(peek())) ++pos_;
    const std::string_view digits = item_.substr(start, pos_ - start);
    if (digits.empty()) {
      return fail(std::string("expected a number as ") + what + " in " + quoted(item_));
    }
    const std::optional<int64_t> value = parse_decimal(digits, kMaxDigits);
    if (!value) return fail(quoted(digits) + " is out of range");
    out = static_cast<int>(*value);
    return true;
  }

  bool name(int& out) {
    const std::size_t start = pos_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
    const std::string_view word = item_.substr(start, pos_ - start);
    if (spec_.names == nullptr) return fail("names are not allowed, got " + quoted(word));
    if (word.size() == 3) {
      const std::string lower = ascii_lower(word);
      for (int i = 0; i < spec_.name_count; ++i) {
        if (lower == spec_.names[i]) {
          out = spec_.first_name_value + i;
          return true;
        }
      }
    }
    return fail("unknown name " + quoted(word));
  }

  const FieldSpec& spec_;
  std::string_view item_;
  std::string& error_;
  std::size_t pos_ = 0;
};

bool parse_field(const FieldSpec& spec, std::string_view field, uint64_t& mask,
                 std::string& error) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = field.find(',', start);
    const std::string_view item = field.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!ItemParser(spec, item, error).parse(mask)) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

CrontabResult parse_crontab(std::string_view text) {
  CrontabResult result;
  if (text.empty()) {
    result.error = "empty expression";
    return result;
  }
  if (text.size() > kMaxCrontabLength) {
    result.error = "expression longer than " + std::to_string(kMaxCrontabLength) + " characters";
    return result;
  }
  if (text[0] == '@') {
    result.error = "@ shortcuts such as @daily are not supported; give five fields";
    return result;
  }
  if (is_separator(text.front()) || is_separator(text.back())) {
    result.error = "leading or trailing whitespace";
    return result;
  }
  // Only the grammar's characters; this also rules out newlines and other whitespace.
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || is_separator(c) || c == '*' || c == ',' || c == '-' || c == '/')) {
      result.error = "unexpected character " + (std::isprint(u) ? quoted(std::string_view(&c, 1))
                                                                : "code " + std::to_string(u));
      return result;
    }
  }

  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    while (pos < text.size() && !is_separator(text[pos])) ++pos;
    fields.push_back(text.substr(start, pos - start));
    while (pos < text.size() && is_separator(text[pos])) ++pos;
  }
  if (fields.size() != kFields.size()) {
    result.error = "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                   std::to_string(fields.size());
    return result;
  }

  std::array<uint64_t, 5> masks{};
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (!parse_field(kFields[i], fields[i], masks[i], result.error)) return result;
  }
  constexpr uint64_t kSunday = 1, kSeven = uint64_t{1} << 7;
  if (masks[4] & kSeven) masks[4] = (masks[4] & ~kSeven) | kSunday;

  result.schedule = CronSchedule{masks[0], masks[1], masks[2], masks[3], masks[4]};
  return result;
}

}  // namespace sevu::legacy

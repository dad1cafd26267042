// Text primitives every part reads input with: digits, hex, whitespace, ASCII
// case, media types and the text of a boolean. One implementation each, so the
// APIs cannot drift apart on what "a number" or "true" means. Pure, no locale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu {

// HTTP's optional whitespace (RFC 9110 OWS): what header values are trimmed of.
inline constexpr std::string_view kHttpSpace = " \t";
// Every ASCII space character (isspace in the C locale).
inline constexpr std::string_view kAsciiSpace = " \t\r\n\f\v";

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// 0..15 for a hex digit of either case, -1 for any other character.
int hex_value(char c);
// The lowercase hex digit of v's low four bits: the spelling every hex this
// server writes uses (digests, session ids, PHP's \u escapes).
inline char hex_digit(unsigned v) {
  return "0123456789abcdef"[v & 0xF];
}
// value's last `width` hex digits written at out[0..width), lowercase and
// zero-padded, as put_digits writes decimal ones (an attempt's session id is
// written so once per grant by the writer, where snprintf cost 2 % of its
// time, docs/performance.md).
void put_hex_digits(char* out, uint64_t value, int width);

// s without leading and trailing characters from `space`.
std::string_view trim(std::string_view s, std::string_view space = kHttpSpace);

// value's last `width` decimal digits written at out[0..width), zero-padded;
// value must not be negative. The formatters of dates and times use it where
// snprintf would parse its format on every call (docs/performance.md, "Dates
// written without snprintf").
void put_digits(char* out, int64_t value, int width);

// A decimal number of 1..max_digits digits, nothing else: no sign, no spaces.
// Leading zeros are allowed ("007" is 7). max_digits is at most 18, so the
// value always fits int64; nullopt for anything else.
std::optional<int64_t> parse_decimal(std::string_view text, std::size_t max_digits = 18);

// ASCII case folding; bytes outside A-Z are left as they are.
char ascii_lower(char c);
std::string ascii_lower(std::string_view s);
// Equal but for ASCII case (header names, media types, parameter names).
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// C++20's string_view::ends_with, for C++17.
bool ends_with(std::string_view s, std::string_view suffix);

// The media type of a Content-Type value: before any ';', trimmed of OWS,
// lowercased ("Multipart/Form-Data; boundary=x" -> "multipart/form-data").
std::string media_type(std::string_view content_type);

// The one boolean rule for text (docs/decisions.md, Booleans): "true" and "1"
// are true, "false" and "0" are false, exactly so written; anything else
// (other case, "yes", "", spaces) is nullopt.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace sevu

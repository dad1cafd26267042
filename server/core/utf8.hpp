// Replies must be valid JSON even when stored or echoed text is not valid
// UTF-8: attempt rows log whatever a player sent, errors echo query names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sevu {

// Decodes the UTF-8 sequence starting at text[i] into cp and returns its length
// (1-4), or 0 when there is none there: a bad lead byte, a truncated sequence,
// an overlong form, a surrogate or a value beyond U+10FFFF (strict like PHP's
// json_encode). i must be < text.size().
std::size_t decode_utf8(std::string_view text, std::size_t i, uint32_t& cp);

// The index of the first byte at or after `from` that does not start a valid
// UTF-8 sequence (as decode_utf8 reads one), or text.size() when there is none.
std::size_t next_invalid_utf8(std::string_view text, std::size_t from = 0);

// Whether every byte of text belongs to a valid UTF-8 sequence.
inline bool valid_utf8(std::string_view text) {
  return next_invalid_utf8(text) == text.size();
}

// text with every byte that does not start a valid UTF-8 sequence replaced by
// U+FFFD. Valid text comes back unchanged. Stops after max_bytes of input.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes = std::string_view::npos);

// text cut to max_bytes and repaired in place as to_valid_utf8 repairs it.
// Text already valid, the usual case, is neither copied nor reallocated.
void make_valid_utf8(std::string& text, std::size_t max_bytes = std::string::npos);

// Text every store keeps as it is: valid UTF-8 without a NUL byte, which
// PostgreSQL's text cannot hold (SQLite can). What a viewer sends may be
// neither; what the usher stores of it is made so, on both backends alike.
bool storable_text(std::string_view text);
// make_valid_utf8, and every NUL byte replaced by U+FFFD.
void make_storable_text(std::string& text, std::size_t max_bytes = std::string::npos);

}  // namespace sevu

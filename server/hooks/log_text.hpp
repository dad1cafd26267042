// What the hooks write into attempt rows and error messages comes from viewers
// (stream names, query values, page URLs): any bytes at all. Every listing
// (legacy sevu.attempts, /v2/sevu_attempt) must stay valid JSON, so text is
// stored as valid UTF-8 and of bounded size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/records.hpp"

namespace sevu::hooks {

// Longest text kept per logged field (bytes, before repair); more is cut off.
inline constexpr std::size_t kMaxLoggedField = 4096;

// text cut to max_bytes, every byte that starts no valid UTF-8 sequence
// replaced by U+FFFD. Valid text within the limit comes back unchanged.
std::string loggable(std::string_view text, std::size_t max_bytes = kMaxLoggedField);

// Applies loggable() to every text field of an attempt row.
void make_loggable(Attempt& row);

}  // namespace sevu::hooks

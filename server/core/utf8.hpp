// Replies must be valid JSON even when stored or echoed text is not valid
// UTF-8: attempt rows log whatever a player sent, errors echo query names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sevu {

// text with every byte that does not start a valid UTF-8 sequence replaced by
// U+FFFD. Valid text comes back unchanged. Stops after max_bytes of input.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes = std::string_view::npos);

}  // namespace sevu

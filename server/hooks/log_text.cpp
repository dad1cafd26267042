#include "hooks/log_text.hpp"

namespace sevu::hooks {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when there is none
// (stray continuation, truncated, overlong, surrogate, beyond U+10FFFF).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  const std::size_t n = lead < 0x80           ? 1
                        : (lead >> 5) == 0x6  ? 2
                        : (lead >> 4) == 0xE  ? 3
                        : (lead >> 3) == 0x1E ? 4
                                              : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char second = n > 1 ? byte(i + 1) : 0;
  if (n == 2 && lead < 0xC2) return 0;                              // overlong
  if (n == 3 && lead == 0xE0 && second < 0xA0) return 0;            // overlong
  if (n == 3 && lead == 0xED && second >= 0xA0) return 0;           // surrogate
  if (n == 4 && (lead > 0xF4 || (lead == 0xF0 && second < 0x90) ||  // overlong
                 (lead == 0xF4 && second >= 0x90))) {               // > U+10FFFF
    return 0;
  }
  return n;
}

}  // namespace

std::string loggable(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void make_loggable(Attempt& row) {
  for (std::string* field : {&row.key, &row.pass, &row.ip, &row.video, &row.app, &row.appinst,
                             &row.pageurl, &row.refurl, &row.reason, &row.server}) {
    *field = loggable(*field);
  }
}

}  // namespace sevu::hooks

#include "core/utf8.hpp"

#include <cstring>

namespace sevu {

std::size_t decode_utf8(std::string_view text, std::size_t i, uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len;
  uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// ASCII bytes skip the decoder, eight at a time where they can: every field of
// every attempt row and request log passes through here on an io thread (perf
// put the byte-by-byte form at 3% of the hook io thread's time;
// docs/performance.md, "Strings skipped by memchr").
std::size_t next_invalid_utf8(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size();) {
    uint64_t word;
    if (text.size() - i >= sizeof word) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080u) == 0) {
        i += sizeof word;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const std::size_t n = decode_utf8(text, i, cp);
    if (n == 0) return i;
    i += n;
  }
  return text.size();
}

// Valid runs are copied whole.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes) {
  if (max_bytes < text.size()) text = text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size());
  std::size_t valid_from = 0;  // the start of the valid bytes not yet copied
  for (std::size_t bad = next_invalid_utf8(text, 0); bad < text.size();
       bad = next_invalid_utf8(text, valid_from)) {
    out.append(text.substr(valid_from, bad - valid_from));
    out += "\xEF\xBF\xBD";  // U+FFFD
    valid_from = bad + 1;
  }
  out.append(text.substr(valid_from));
  return out;
}

void make_valid_utf8(std::string& text, std::size_t max_bytes) {
  if (max_bytes < text.size()) text.resize(max_bytes);
  if (!valid_utf8(text)) text = to_valid_utf8(text);
}

bool storable_text(std::string_view text) {
  return text.find('\0') == std::string_view::npos && valid_utf8(text);
}

void make_storable_text(std::string& text, std::size_t max_bytes) {
  make_valid_utf8(text, max_bytes);
  for (std::size_t nul = text.find('\0'); nul != std::string::npos; nul = text.find('\0', nul + 3))
    text.replace(nul, 1, "\xEF\xBF\xBD");  // U+FFFD
}

}  // namespace sevu

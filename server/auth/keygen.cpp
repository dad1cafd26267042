// Every random character comes from the CSPRNG by rejection sampling: a byte is
// used only if it falls below the largest multiple of the alphabet size, so
// each character is exactly uniform (no modulo bias).
#include "auth/keygen.hpp"

#include <cstdint>
#include <cstdio>

#include "auth/crypto.hpp"

namespace sevu {

namespace {

constexpr std::size_t kMaxPrefix = 64;
// Sanitizing never drops characters, so only an empty video gives an empty
// prefix; a key starting with '.' would be easy to mangle, so such keys get a
// fixed prefix instead and keep the shape "<prefix>.<hex>.<digits>".
constexpr std::string_view kEmptyPrefix = "sevu";

// The 14 hex characters: when, then chance. A key made in the same hundredth
// of a second as the one before sorts beside it, so the tickets' key index
// takes a burst of new tickets on one or two pages at its end instead of one
// random page each: with 56 random bits there, every sevu.request dirtied a
// page no other request shared, which the commit wrote to the log and the
// checkpoint copied back, and the bigger the table the more of them had to be
// read first (docs/performance.md, "Ticket keys in time order"). Upstream's
// keys lead with the time too (PHP's uniqid()).
//   8 hex: unix seconds, the low 32 bits (wraps in 2106; order within a
//          second is all the index needs);
//   2 hex: hundredths of that second, 00-63;
//   4 hex: 16 random bits.
// With the 8 random digits that is 42.6 bits of chance in every key, on top of
// its ticket's pass, which the usher always asks for (docs/legacy-api.md).
std::string time_led_hex(std::chrono::system_clock::time_point now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto seconds = static_cast<std::uint32_t>(static_cast<std::uint64_t>(ms / 1000));
  const auto hundredths = static_cast<unsigned>((ms % 1000) / 10);
  char lead[11];
  std::snprintf(lead, sizeof lead, "%08x%02x", static_cast<unsigned>(seconds), hundredths);
  return std::string(lead, 10) + hex_encode(random_bytes(2));
}

std::string random_from(std::string_view alphabet, std::size_t length) {
  const std::size_t limit = 256 - 256 % alphabet.size();  // bytes >= limit are redrawn
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    for (const char c : random_bytes(length - out.size() + 8)) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= limit) continue;
      out += alphabet[b % alphabet.size()];
      if (out.size() == length) break;
    }
  }
  return out;
}

bool allowed_in_prefix(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

std::string make_ticket_key(std::string_view video) {
  return make_ticket_key(video, std::chrono::system_clock::now());
}

std::string make_ticket_key(std::string_view video, std::chrono::system_clock::time_point now) {
  // One '_' per character, not per byte: a UTF-8 continuation byte (10xxxxxx)
  // belongs to the character before it ("é" gives "_", not "__").
  std::string prefix;
  for (char c : video) {
    if (prefix.size() == kMaxPrefix) break;
    if (allowed_in_prefix(c)) {
      prefix += c;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      prefix += '_';  // also '.', which separates the key's parts
    }
  }
  if (prefix.empty()) prefix = kEmptyPrefix;
  return prefix + "." + time_led_hex(now) + "." + random_from("0123456789", 8);
}

std::string make_api_key() {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
}

std::string make_secret() {
  return hex_encode(random_bytes(32));
}

}  // namespace sevu

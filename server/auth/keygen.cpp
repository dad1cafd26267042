// Every random character comes from the CSPRNG by rejection sampling: a byte is
// used only if it falls below the largest multiple of the alphabet size, so
// each character is exactly uniform (no modulo bias).
#include "auth/keygen.hpp"

#include "auth/crypto.hpp"

namespace sevu {

namespace {

constexpr std::size_t kMaxPrefix = 64;
// Sanitizing never drops characters, so only an empty video gives an empty
// prefix; a key starting with '.' would be easy to mangle, so such keys get a
// fixed prefix instead and keep the shape "<prefix>.<hex>.<digits>".
constexpr std::string_view kEmptyPrefix = "sevu";

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
  return prefix + "." + hex_encode(random_bytes(7)) + "." + random_from("0123456789", 8);
}

std::string make_api_key() {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
}

std::string make_secret() {
  return hex_encode(random_bytes(32));
}

}  // namespace sevu

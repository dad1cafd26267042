// Cryptographic building blocks over OpenSSL.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sevu {

// Raw 32-byte HMAC-SHA256 of message under key (key bytes used as given).
std::string hmac_sha256(std::string_view key, std::string_view message);
// Raw 20-byte HMAC-SHA1, for media servers that sign with it (OvenMediaEngine).
std::string hmac_sha1(std::string_view key, std::string_view message);
// Raw 32-byte SHA-256 of bytes.
std::string sha256(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);  // nullopt if malformed
// The URL-safe alphabet of RFC 4648 section 5 ('-' and '_'), without padding.
std::string base64url_encode(std::string_view bytes);
// Compares in time that depends only on the lengths, never on the contents.
bool constant_time_equal(std::string_view a, std::string_view b);
// n bytes from the OpenSSL CSPRNG; throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);
std::string hex_encode(std::string_view bytes);  // lowercase

}  // namespace sevu

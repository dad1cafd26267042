// PBKDF2-HMAC-SHA256 with the cost and salt stored beside the hash, so raising
// kPasswordIterations later leaves old rows verifiable.
#include "auth/password_hash.hpp"

#include <openssl/evp.h>

#include <climits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "auth/crypto.hpp"
#include "core/text.hpp"

namespace sevu {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Bounds a stored (possibly tampered) string's cost, so verify cannot be made to spin.
constexpr int kMaxIterations = 10000000;
constexpr std::size_t kMinSaltBytes = 8;
constexpr std::size_t kMaxSaltBytes = 64;

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations,
                   std::size_t length) {
  if (password.size() > INT_MAX) throw std::invalid_argument("password too long");
  static const char kEmpty = 0;
  std::string out(length, '\0');
  if (PKCS5_PBKDF2_HMAC(
          password.empty() ? &kEmpty : password.data(), static_cast<int>(password.size()),
          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
          iterations, EVP_sha256(), static_cast<int>(length),
          reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  }
  return out;
}

// Digits only, no sign or leading zero, within 1..kMaxIterations.
std::optional<int> parse_iterations(std::string_view s) {
  if (!s.empty() && s[0] == '0') return std::nullopt;
  const std::optional<int64_t> value = parse_decimal(s, 8);
  if (!value || *value > kMaxIterations) return std::nullopt;
  return static_cast<int>(*value);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  if (iterations < 1 || iterations > kMaxIterations) {
    throw std::invalid_argument("hash_password: iterations out of range");
  }
  const std::string salt = random_bytes(kSaltBytes);
  const std::string hash = pbkdf2(password, salt, iterations, kHashBytes);
  return "$" + std::string(kScheme) + "$" + std::to_string(iterations) + "$" + base64_encode(salt) +
         "$" + base64_encode(hash);
}

bool verify_password(std::string_view password, std::string_view stored) {
  // "$scheme$iterations$salt$hash" splits into "", scheme, iterations, salt, hash.
  const std::vector<std::string_view> parts = split(stored, '$');
  if (parts.size() != 5 || !parts[0].empty() || parts[1] != kScheme) return false;
  const std::optional<int> iterations = parse_iterations(parts[2]);
  const std::optional<std::string> salt = base64_decode(parts[3]);
  const std::optional<std::string> expected = base64_decode(parts[4]);
  if (!iterations || !salt || !expected) return false;
  if (salt->size() < kMinSaltBytes || salt->size() > kMaxSaltBytes) return false;
  if (expected->size() != kHashBytes) return false;
  if (password.size() > INT_MAX) return false;
  return constant_time_equal(pbkdf2(password, *salt, *iterations, kHashBytes), *expected);
}

}  // namespace sevu

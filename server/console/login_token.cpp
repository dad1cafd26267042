#include "console/login_token.hpp"

#include "auth/crypto.hpp"
#include "core/text.hpp"

namespace sevu::console {

namespace {

constexpr std::size_t kTokenBytes = 32;

std::string cookie(std::string_view value, int64_t max_age, bool secure) {
  std::string c = std::string(kCookieName) + "=" + std::string(value) +
                  "; Path=/console; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (secure) c += "; Secure";
  return c;
}

}  // namespace

std::string new_login_token() {
  return base64url_encode(random_bytes(kTokenBytes));
}

std::string token_hash(std::string_view token) {
  return hex_encode(sha256(token));
}

std::string operator_token_hash(std::string_view token, std::string_view admin_token) {
  return hex_encode(hmac_sha256(admin_token, token));
}

std::string csrf_token(std::string_view token) {
  return hex_encode(hmac_sha256(token, "sevu console csrf"));
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    const std::string_view pair = trim(header.substr(0, semi));
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      if (value.empty()) return std::nullopt;
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string login_cookie(std::string_view token, int64_t max_age, bool secure) {
  return cookie(token, max_age, secure);
}

std::string cleared_cookie(bool secure) {
  return cookie("", 0, secure);
}

}  // namespace sevu::console

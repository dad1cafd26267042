// The pure parts of a console login (docs/console.md): the cookie that carries
// its token, the token's stored hash, and the CSRF token derived from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu::console {

inline constexpr std::string_view kCookieName = "sevu_console";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// A fresh token: 32 random bytes, base64url (43 characters).
std::string new_login_token();

// What the store keeps of a token: its SHA-256, lowercase hex.
std::string token_hash(std::string_view token);

// What the store keeps of an operator login's token instead: keyed by the
// admin token it was made with, so a changed or removed --console-admin-token
// ends every operator login made with the old one (docs/console.md).
std::string operator_token_hash(std::string_view token, std::string_view admin_token);

// The CSRF token of a login: derived from its token (so nothing more is
// stored), and unlike token_hash, so the stored hash does not reveal it.
std::string csrf_token(std::string_view token);

// The value of cookie `name` in a Cookie header ("a=1; sevu_console=T"), the
// first one when given twice; nullopt when absent or empty.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

// Set-Cookie for a login of max_age seconds (Path=/console; HttpOnly;
// SameSite=Strict; Secure when the listener speaks TLS), and the one that
// clears it (Max-Age=0).
std::string login_cookie(std::string_view token, int64_t max_age, bool secure);
std::string cleared_cookie(bool secure);

}  // namespace sevu::console

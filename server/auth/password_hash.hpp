// Write-only passwords: salted PBKDF2-HMAC-SHA256, parameters kept in the string
// so that the cost can be raised later without invalidating old rows.
#pragma once

#include <string>
#include <string_view>

namespace sevu {

constexpr int kPasswordIterations = 100000;

// "$pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>"
std::string hash_password(std::string_view password, int iterations = kPasswordIterations);
// Constant-time check; false for a malformed stored string.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace sevu

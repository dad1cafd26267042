// HTTP Basic authentication for /v2/: user = cdn id, password = account secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "core/records.hpp"
#include "store/store.hpp"

namespace sevu::v2 {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// Parses an Authorization header value "Basic <base64(user:password)>" (scheme
// case-insensitive). nullopt for any other scheme or malformed encoding.
std::optional<BasicCredentials> parse_basic_auth(std::string_view header_value);

// The account the request authenticates as. Throws a 401 V2Error (with
// WWW-Authenticate) when the header is missing or malformed, the cdn id is
// unknown, the secret differs (compared in constant time) or the account is disabled.
Account authenticate(const HttpRequest& req, Store& store);

}  // namespace sevu::v2

#include "v2/basic_auth.hpp"

#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"

namespace sevu::v2 {

namespace {

constexpr std::string_view kScheme = "basic";

}  // namespace

std::optional<BasicCredentials> parse_basic_auth(std::string_view header_value) {
  std::string_view v = trim(header_value);
  if (v.size() <= kScheme.size() || !istarts_with(v, kScheme) ||
      (v[kScheme.size()] != ' ' && v[kScheme.size()] != '\t'))
    return std::nullopt;
  auto decoded = base64_decode(trim(v.substr(kScheme.size())));
  if (!decoded) return std::nullopt;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

Account authenticate(const HttpRequest& req, Store& store) {
  auto header = req.header("Authorization");
  if (!header) throw unauthorized("authentication required: HTTP Basic with cdn_id:secret");
  auto creds = parse_basic_auth(*header);
  if (!creds) throw unauthorized("malformed Authorization header: expected Basic cdn_id:secret");

  std::optional<Account> account;
  // A cdn id is a plain decimal number.
  if (auto cdn = parse_decimal(creds->user)) account = store.account(*cdn);
  // Compare even when the account is unknown, so that the answer takes the same
  // time whether or not the cdn id exists.
  static const std::string kNoSecret(64, '0');
  const bool secret_ok =
      constant_time_equal(creds->password, account ? account->secret : kNoSecret);
  if (!account || !secret_ok) throw unauthorized("invalid credentials");
  if (!account->active) throw unauthorized("account disabled");
  return *account;
}

}  // namespace sevu::v2

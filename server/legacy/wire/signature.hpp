// Request signatures (docs/legacy-api.md, Signing): signature = base64(HMAC-SHA256(M, secret)) with
// the secret's 64 ASCII chars as the key, where M is the request JSON without
// its "signature" member, in one of two forms:
//   (a) the received text with that member (and its separating comma) cut out,
//       for clients that append the member textually (the Perl client);
//   (b) PHP's json_encode of the parsed request without it, for PHP clients and
//       anything that re-encodes.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sevu::legacy {

// The member that carries the signature and is left out of what was signed.
constexpr std::string_view kSignatureMember = "signature";

// Form (a): the texts the client may have signed, i.e. raw_json with the
// top-level "signature" member and one separating comma cut out. Where the
// comma's surrounding whitespace belonged is ambiguous, so each plausible cut
// is a candidate (all remove exactly the member and one comma):
//   not first: from the end of the previous value, or from the comma before it,
//              to the end of the signature value;
//   not last:  from its name to the start of the next name, or to just after
//              the comma that follows it;
//   alone:     just the member.
// Empty unless raw_json is an object with exactly one top-level member named
// "signature" (a duplicate is refused rather than guessed at).
std::vector<std::string> textual_forms(std::string_view raw_json);

// base64(HMAC-SHA256(message, secret)).
std::string sign_message(std::string_view message, std::string_view secret);

// True when `given` matches a form (a) text of raw_json or form (b), PHP's
// json_encode of `request` (raw_json parsed) without its signature member.
// Each comparison is constant-time, and a signature that matches no form is
// compared against every one.
bool signature_matches(std::string_view raw_json, const rapidjson::Value& request,
                       std::string_view given, std::string_view secret);

}  // namespace sevu::legacy

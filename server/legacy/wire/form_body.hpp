// Where the legacy request JSON sits in the HTTP body (docs/legacy-api.md, Transport): form
// field `json` of multipart/form-data (what PHP curl sends for an array of
// POSTFIELDS) or of application/x-www-form-urlencoded, else the raw body.
// Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sevu::legacy {

struct FormField {
  bool ok = false;
  std::string value;    // when ok
  std::string problem;  // when !ok: why, for logs and tests
};

// The request JSON text for a body sent with this Content-Type header value
// (empty when the header is absent). Form encodings yield field `json`; when it
// occurs more than once the last one wins, as in PHP's $_POST. A urlencoded
// body that starts with '{' (after whitespace) is raw JSON mislabelled by
// `curl -d` and yields the body as it is, as does any other or no content type.
FormField extract_request_json(std::string_view content_type, std::string_view body);

// Field `name` of a multipart/form-data body (RFC 7578 / RFC 2046). A file part
// with that name counts too. Last occurrence wins.
FormField multipart_field(std::string_view body, std::string_view boundary, std::string_view name);

// Field `name` of an application/x-www-form-urlencoded body: '+' is a space,
// %XX a byte; a malformed escape anywhere makes the body malformed.
FormField urlencoded_field(std::string_view body, std::string_view name);

// A parameter of a header value such as `multipart/form-data; boundary="a b"`,
// name compared case-insensitively, quoted-string unquoted. nullopt if absent.
std::optional<std::string> header_param(std::string_view header_value, std::string_view name);

}  // namespace sevu::legacy

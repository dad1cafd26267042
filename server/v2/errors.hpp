// Every v2 failure is a V2Error: thrown where the problem is found, turned into
// {"error": CODE, "message": "...", "field": "..."} once, in V2Api::handle.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "core/http_message.hpp"

namespace sevu::v2 {

// The error codes of docs/v2-api.md; the first four come from the spec page.
namespace code {
inline constexpr const char* kAccessViolation = "ACCESS_VIOLATION";
inline constexpr const char* kRequiredField = "REQUIRED_FIELD";
inline constexpr const char* kTypeMismatch = "TYPE_MISMATCH";
inline constexpr const char* kAppInvalid = "APP_INVALID";
inline constexpr const char* kInvalidValue = "INVALID_VALUE";
inline constexpr const char* kUnknownField = "UNKNOWN_FIELD";
inline constexpr const char* kInvalidQuery = "INVALID_QUERY";
inline constexpr const char* kInvalidJson = "INVALID_JSON";
inline constexpr const char* kUnauthorized = "UNAUTHORIZED";
inline constexpr const char* kNotFound = "NOT_FOUND";
inline constexpr const char* kMethodNotAllowed = "METHOD_NOT_ALLOWED";
inline constexpr const char* kUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
inline constexpr const char* kInternal = "INTERNAL";
}  // namespace code

struct V2Error : std::exception {
  V2Error(int http_status, std::string error_code, std::string text, std::string field_name = {})
      : status(http_status),
        code(std::move(error_code)),
        message(std::move(text)),
        field(std::move(field_name)) {}

  const char* what() const noexcept override { return message.c_str(); }

  int status;
  std::string code;
  std::string message;
  std::string field;  // empty when no single field is concerned (written as null)
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow, WWW-Authenticate
};

// Shorthands for the common statuses.
V2Error bad_request(std::string error_code, std::string text, std::string field = {});
V2Error access_violation(const std::string& field, std::string text);
V2Error not_found(std::string text);
V2Error unauthorized(std::string text);
V2Error method_not_allowed(const std::string& allow);

HttpResponse error_response(const V2Error& e);

}  // namespace sevu::v2

#include "v2/errors.hpp"

#include "core/utf8.hpp"

namespace sevu::v2 {

namespace {

// Messages and field names may echo client text (a query parameter's name):
// keep it valid UTF-8 and short.
std::string printable(std::string_view text) {
  return to_valid_utf8(text, 200);
}

}  // namespace

V2Error bad_request(std::string error_code, std::string text, std::string field) {
  return V2Error(400, std::move(error_code), std::move(text), std::move(field));
}

V2Error access_violation(const std::string& field, std::string text) {
  return V2Error(403, code::kAccessViolation, std::move(text), field);
}

V2Error not_found(std::string text) {
  return V2Error(404, code::kNotFound, std::move(text));
}

V2Error unauthorized(std::string text) {
  V2Error e(401, code::kUnauthorized, std::move(text));
  e.headers.emplace_back("WWW-Authenticate", "Basic realm=\"sevu\"");
  return e;
}

V2Error method_not_allowed(const std::string& allow) {
  V2Error e(405, code::kMethodNotAllowed, "method not allowed here; allowed: " + allow);
  e.headers.emplace_back("Allow", allow);
  return e;
}

HttpResponse error_response(const V2Error& e) {
  HttpResponse r = json_error(e.status, e.code, printable(e.message), printable(e.field));
  r.headers = e.headers;
  return r;
}

}  // namespace sevu::v2

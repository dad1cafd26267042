#include "v2/request_body.hpp"

#include <string>
#include <unordered_set>

#include "core/json_util.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"

namespace sevu::v2 {

namespace {

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  const std::string t = media_type(content_type);
  return t.empty() || t == "application/json" || t == "text/json" ||
         (t.rfind("application/", 0) == 0 && ends_with(t, "+json")) ||
         t == "application/x-www-form-urlencoded" || t == "text/plain" ||
         t == "application/octet-stream";
}

bool read_json_object(const HttpRequest& req, rapidjson::Document& doc, bool allow_empty) {
  if (is_blank(req.body)) {
    if (allow_empty) return false;
    throw bad_request(code::kInvalidJson, "request body is empty: expected a JSON object");
  }
  auto content_type = req.header("Content-Type");
  if (content_type && !is_json_content_type(*content_type))
    throw V2Error(415, code::kUnsupportedMediaType,
                  "request body must be JSON (Content-Type application/json)");

  // Depth-limited, and text after the object is an error.
  const std::string problem = parse_json(req.body, doc);
  if (!problem.empty()) throw bad_request(code::kInvalidJson, problem);
  if (!doc.IsObject()) throw bad_request(code::kInvalidJson, "request body must be a JSON object");

  std::unordered_set<std::string_view> seen;
  for (const auto& m : doc.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (!seen.insert(name).second)
      throw bad_request(code::kInvalidJson, "member given more than once: " + std::string(name),
                        std::string(name));
  }
  return true;
}

}  // namespace sevu::v2

#include "hooks/wire_fields.hpp"

#include <rapidjson/document.h>

#include "core/json_util.hpp"
#include "core/query_string.hpp"

namespace sevu::hooks {

std::optional<std::string> first_value(const FormPairs& pairs, std::string_view name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return v;
  }
  return std::nullopt;
}

FormPairs parse_query_text(std::string_view text) {
  if (!text.empty() && text.front() == '?') text.remove_prefix(1);
  return parse_query(text, BadEscape::kKeepLiteral).value_or(FormPairs{});
}

Credentials credentials_from(const FormPairs& args, std::string_view connect_url) {
  Credentials c{first_value(args, "key"), first_value(args, "user"), first_value(args, "pass")};
  auto q = connect_url.find('?');
  if (q == std::string_view::npos) return c;
  const FormPairs from_url = parse_query_text(connect_url.substr(q + 1));
  if (!c.key) c.key = first_value(from_url, "key");
  if (!c.user) c.user = first_value(from_url, "user");
  if (!c.pass) c.pass = first_value(from_url, "pass");
  return c;
}

UrlParts split_url(std::string_view url) {
  url = url.substr(0, url.find('#'));
  // "scheme://authority": only when no '/' comes before the "://".
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos &&
      url.substr(0, scheme).find('/') == std::string_view::npos) {
    auto path = url.find_first_of("/?", scheme + 3);
    url = path == std::string_view::npos ? std::string_view{} : url.substr(path);
  }
  auto q = url.find('?');
  UrlParts parts{url.substr(0, q),
                 q == std::string_view::npos ? std::string_view{} : url.substr(q + 1)};
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool parse_json_object(std::string_view body, rapidjson::Document& doc, std::string& problem) {
  problem = parse_json(body, doc, JsonUtf8::kPassedThrough);
  if (!problem.empty()) return false;
  if (!doc.IsObject()) {
    problem = "body must be a JSON object";
    return false;
  }
  return true;
}

bool read_member_strings(const rapidjson::Value& obj, std::string_view where,
                         std::initializer_list<std::pair<const char*, std::string*>> fields,
                         std::string& problem) {
  for (const auto& [name, target] : fields) {
    if (!read_optional_string(obj, name, *target)) {
      problem = std::string(where) + name + ": must be a string";
      return false;
    }
  }
  return true;
}

bool read_json_strings(std::string_view body,
                       std::initializer_list<std::pair<const char*, std::string*>> fields,
                       std::string& problem) {
  JsonDocument doc;
  return parse_json_object(body, doc, problem) && read_member_strings(doc, "", fields, problem);
}

}  // namespace sevu::hooks

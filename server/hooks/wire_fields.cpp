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

namespace {

// The text a query's name or value stands for: the view itself when it has
// nothing to decode (a query's names nearly always), else its decoded copy in
// `decoded`.
std::string_view decoded_view(std::string_view raw, std::string& decoded) {
  if (raw.find_first_of("%+") == std::string_view::npos) return raw;
  decoded = *percent_decode(raw, true, BadEscape::kKeepLiteral);  // never nullopt when kept
  return decoded;
}

// Each of key, user and pass still missing from `c`, taken from the query of
// connect_url.
void fill_from_connect_url(Credentials& c, std::string_view connect_url) {
  auto q = connect_url.find('?');
  if (q == std::string_view::npos || (c.key && c.user && c.pass)) return;
  const Credentials from_url = credentials_from_query(connect_url.substr(q + 1));
  if (!c.key) c.key = from_url.key;
  if (!c.user) c.user = from_url.user;
  if (!c.pass) c.pass = from_url.pass;
}

}  // namespace

Credentials credentials_from(const FormPairs& args, std::string_view connect_url) {
  Credentials c{first_value(args, "key"), first_value(args, "user"), first_value(args, "pass")};
  fill_from_connect_url(c, connect_url);
  return c;
}

Credentials credentials_from_query(std::string_view text, std::string_view connect_url) {
  if (!text.empty() && text.front() == '?') text.remove_prefix(1);
  Credentials c;
  std::string name_buffer;
  // The pairs as parse_query_text splits them, but only the values asked for
  // are decoded and copied: an HLS segment's re-check reads its query here on
  // every request (docs/performance.md, "Credentials read in place").
  for_each_raw_pair(text, [&](std::string_view raw_name, std::string_view raw_value) {
    const std::string_view name = decoded_view(raw_name, name_buffer);
    std::optional<std::string>* slot = name == "key"    ? &c.key
                                       : name == "user" ? &c.user
                                       : name == "pass" ? &c.pass
                                                        : nullptr;
    // The first of each wins, as first_value has it.
    if (slot && !*slot) *slot = percent_decode(raw_value, true, BadEscape::kKeepLiteral);
    return !(c.key && c.user && c.pass);
  });
  fill_from_connect_url(c, connect_url);
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

PathSegments path_segments(std::string_view path) {
  PathSegments parts;
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

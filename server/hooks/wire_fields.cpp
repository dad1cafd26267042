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

std::optional<FormPairs> parse_query_text(std::string_view text) {
  if (!text.empty() && text.front() == '?') text.remove_prefix(1);
  return parse_query(text);
}

Credentials credentials_from(const FormPairs& args, std::string_view connect_url) {
  Credentials c{first_value(args, "key"), first_value(args, "user"), first_value(args, "pass")};
  auto q = connect_url.find('?');
  if (q == std::string_view::npos) return c;
  auto from_url = parse_query_text(connect_url.substr(q + 1));
  if (!from_url) return c;
  if (!c.key) c.key = first_value(*from_url, "key");
  if (!c.user) c.user = first_value(*from_url, "user");
  if (!c.pass) c.pass = first_value(*from_url, "pass");
  return c;
}

bool read_json_strings(std::string_view body,
                       std::initializer_list<std::pair<const char*, std::string*>> fields,
                       std::string& problem) {
  rapidjson::Document doc;
  problem = parse_json(body, doc, JsonUtf8::kPassedThrough);
  if (!problem.empty()) return false;
  if (!doc.IsObject()) {
    problem = "body must be a JSON object";
    return false;
  }
  for (const auto& [name, target] : fields) {
    if (!read_optional_string(doc, name, *target)) {
      problem = std::string(name) + ": must be a string";
      return false;
    }
  }
  return true;
}

}  // namespace sevu::hooks

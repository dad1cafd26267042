#include "hooks/form_fields.hpp"

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

#include "hooks/form_fields.hpp"

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

}  // namespace sevu::hooks

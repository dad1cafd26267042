// Reading decoded form/query pairs the way the hooks need them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sevu::hooks {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// The FIRST value named `name`. Media servers put their own fields before the
// viewer's raw query, so the first occurrence is the one the server vouches for.
std::optional<std::string> first_value(const FormPairs& pairs, std::string_view name);

// Decodes a query string that may start with '?' ("?key=a&pass=b" or "key=a").
// nullopt when an escape is malformed.
std::optional<FormPairs> parse_query_text(std::string_view text);

}  // namespace sevu::hooks

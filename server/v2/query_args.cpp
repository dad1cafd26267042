#include "v2/query_args.hpp"

#include <unordered_set>

#include "core/query_string.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"
#include "v2/ticket_fields.hpp"
#include "v2/ticket_input.hpp"

namespace sevu::v2 {

QueryArgs::QueryArgs(std::string_view raw_query) {
  auto parsed = parse_query(raw_query);
  if (!parsed)
    throw bad_request(code::kInvalidQuery, "malformed percent-encoding in the query string");
  std::unordered_set<std::string_view> seen;
  for (const auto& [name, value] : *parsed)
    if (!seen.insert(name).second)
      throw bad_request(code::kInvalidQuery, "query parameter given more than once: " + name, name);
  params_ = std::move(*parsed);
}

std::optional<std::string> QueryArgs::take(std::string_view name) {
  for (auto it = params_.begin(); it != params_.end(); ++it) {
    if (it->first == name) {
      std::string value = std::move(it->second);
      params_.erase(it);
      return value;
    }
  }
  return std::nullopt;
}

void QueryArgs::reject_rest() const {
  if (!params_.empty())
    throw bad_request(code::kUnknownField, "unknown query parameter: " + params_.front().first,
                      params_.front().first);
}

Page take_page(QueryArgs& args) {
  Page page;
  if (auto limit = args.take("limit")) {
    auto v = parse_decimal(*limit);
    if (!v || *v < 1 || *v > kMaxPageSize)
      throw bad_request(code::kInvalidValue,
                        "limit must be an integer from 1 to " + std::to_string(kMaxPageSize),
                        "limit");
    page.limit = *v;
  }
  if (auto offset = args.take("offset")) {
    auto v = parse_decimal(*offset);
    if (!v) throw bad_request(code::kInvalidValue, "offset must be an integer >= 0", "offset");
    page.offset = *v;
  }
  return page;
}

bool take_children(QueryArgs& args) {
  auto value = args.take(kChildrenOption);
  return value && parse_children_option(*value);
}

}  // namespace sevu::v2

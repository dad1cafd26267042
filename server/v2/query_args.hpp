// The query string of a v2 request, consumed parameter by parameter so that
// whatever a route does not understand is reported instead of ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sevu::v2 {

inline constexpr int64_t kDefaultPageSize = 100;
inline constexpr int64_t kMaxPageSize = 1000;

struct Page {
  int64_t limit = kDefaultPageSize;
  int64_t offset = 0;
};

class QueryArgs {
 public:
  // Throws 400 INVALID_QUERY for bad percent-encoding or a parameter given twice.
  explicit QueryArgs(std::string_view raw_query);

  // Removes and returns the parameter's value, if given.
  std::optional<std::string> take(std::string_view name);
  // Throws 400 UNKNOWN_FIELD naming the first parameter nobody took.
  void reject_rest() const;
  // Parameters not taken yet, in received order.
  const std::vector<std::pair<std::string, std::string>>& rest() const { return params_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// limit (1..1000, default 100) and offset (>= 0, default 0); else 400 INVALID_VALUE.
Page take_page(QueryArgs& args);
// option:children; see parse_children_option.
bool take_children(QueryArgs& args);

}  // namespace sevu::v2

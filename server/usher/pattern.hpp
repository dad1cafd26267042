// App and video patterns: pipe-separated alternatives, '*' matches any run of
// characters ('/' included), everything else literal and case-sensitive.
#pragma once

#include <string_view>

namespace sevu::usher {

bool glob_match(std::string_view pattern, std::string_view text);
bool pattern_list_match(std::string_view pipe_list, std::string_view text);

}  // namespace sevu::usher

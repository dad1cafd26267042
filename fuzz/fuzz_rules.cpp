// libFuzzer: the small grammars — dates, crontab, ip lists, patterns. The
// input is split at the first NUL into two strings where a rule takes two.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/datetime.hpp"
#include "legacy/commands/stream_users/crontab.hpp"
#include "usher/ip_rules.hpp"
#include "usher/pattern.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nul = in.find('\0');
  std::string_view a = in.substr(0, nul);
  std::string_view b = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  sevu::parse_datetime(a, 1700000000);
  sevu::legacy::parse_crontab(a);
  sevu::usher::check_ip(a, b);
  sevu::usher::ip_list_problem(a);
  sevu::usher::parse_ip(a);
  if (a.size() < 256 && b.size() < 4096) sevu::usher::pattern_list_match(a, b);
  return 0;
}

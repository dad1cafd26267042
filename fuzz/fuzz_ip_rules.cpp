// libFuzzer: the ticket ip rules (usher/ip_rules): the validator used at
// creation and the matcher used at playback. The input is split at the first
// NUL into the rule list and the client address. Beyond not crashing: the
// matcher and the validator agree — a valid list that binds a client stays
// valid and then admits it; an empty field admits everyone; an address that
// parses prints as text that parses back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "usher/ip_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nul = in.find('\0');
  const std::string_view list = in.substr(0, nul);
  const std::string_view client =
      nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);

  if (auto address = sevu::usher::parse_ip(client)) {
    const auto again = sevu::usher::parse_ip(address->to_string());
    if (!again || again->v4 != address->v4 || again->bytes != address->bytes) std::abort();
  }

  const auto problem = sevu::usher::ip_list_problem(list);
  const sevu::usher::IpCheck c = sevu::usher::check_ip(list, client);
  if (problem) {
    if (problem->rfind("ip entry ", 0) != 0) std::abort();
    return 0;
  }
  if (list.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos && !c.allowed) std::abort();
  if (c.ip_after != list) {
    // A binding happened: the list stays valid, and now admits this client as it is.
    if (!c.allowed || sevu::usher::ip_list_problem(c.ip_after)) std::abort();
    const auto after = sevu::usher::check_ip(c.ip_after, client);
    if (!after.allowed || after.ip_after != c.ip_after) std::abort();
  }
  return 0;
}

#include "core/query_string.hpp"

#include <cstring>

#include "core/text.hpp"

namespace sevu {

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space,
                                          BadEscape bad) {
  std::string out;
  out.reserve(text.size());
  // Most text has nothing to decode: the runs between escapes are copied
  // whole, not a character at a time (a form's fields were over a quarter of
  // a nginx-rtmp play's io-thread work, docs/performance.md).
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t at = i;
    while (at < text.size() && text[at] != '%' && !(plus_as_space && text[at] == '+')) ++at;
    out.append(text.data() + i, at - i);
    if (at == text.size()) break;
    i = at + 1;
    if (text[at] == '+') {
      out.push_back(' ');
      continue;
    }
    const int hi = at + 1 < text.size() ? hex_value(text[at + 1]) : -1;
    const int lo = at + 2 < text.size() ? hex_value(text[at + 2]) : -1;
    if (hi < 0 || lo < 0) {
      if (bad == BadEscape::kRefuse) return std::nullopt;
      out.push_back('%');  // "%zz" stays "%zz"; what follows is read afresh
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i = at + 3;
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(
    std::string_view query, BadEscape bad) {
  std::vector<std::pair<std::string, std::string>> out;
  if (query.empty()) return out;  // and memchr is never handed a view's null data()
  std::size_t pieces = 1;  // one string pair each, made once (a form has a dozen or more)
  for (const char* at = query.data(), *end = at + query.size();
       (at = static_cast<const char*>(std::memchr(at, '&', static_cast<std::size_t>(end - at))));
       ++at) {
    ++pieces;
  }
  out.reserve(pieces);
  bool readable = true;
  for_each_raw_pair(query, [&](std::string_view raw_name, std::string_view raw_value) {
    auto name = percent_decode(raw_name, true, bad);
    auto value = percent_decode(raw_value, true, bad);
    readable = name && value;
    if (readable) out.emplace_back(std::move(*name), std::move(*value));
    return readable;
  });
  if (!readable) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> path_segments(std::string_view path,
                                                      std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  path.remove_prefix(prefix.size());
  std::vector<std::string> out;
  while (true) {
    const std::size_t slash = path.find('/');
    auto segment = percent_decode(path.substr(0, slash), false);
    if (!segment || segment->empty()) return std::nullopt;
    out.push_back(std::move(*segment));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace sevu

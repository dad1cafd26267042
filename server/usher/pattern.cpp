#include "usher/pattern.hpp"

#include <cstddef>

namespace sevu::usher {

// With '*' as the only wildcard, a greedy scan is exact: the text before the
// first '*' must be a prefix, the text after the last '*' a suffix, and every
// piece in between can take its leftmost occurrence (an earlier match never
// leaves less room for the pieces after it). No backtracking, so a pattern like
// "a*a*a*a*b" costs one left-to-right pass per piece, never exponential time.
bool glob_match(std::string_view pattern, std::string_view text) {
  const size_t first_star = pattern.find('*');
  if (first_star == std::string_view::npos) return pattern == text;

  const std::string_view head = pattern.substr(0, first_star);
  const size_t last_star = pattern.rfind('*');
  const std::string_view tail = pattern.substr(last_star + 1);
  if (head.size() + tail.size() > text.size()) return false;
  if (text.substr(0, head.size()) != head) return false;
  if (text.substr(text.size() - tail.size()) != tail) return false;

  // The middle pieces must fit between the head and the tail.
  std::string_view middle_text = text.substr(head.size(), text.size() - head.size() - tail.size());
  // Empty when there is a single '*' (first_star == last_star).
  std::string_view middle_pattern =
      pattern.substr(first_star + 1, last_star > first_star ? last_star - first_star - 1 : 0);
  while (!middle_pattern.empty()) {
    const size_t star = middle_pattern.find('*');
    const std::string_view piece = middle_pattern.substr(0, star);
    if (!piece.empty()) {
      const size_t at = middle_text.find(piece);
      if (at == std::string_view::npos) return false;
      middle_text.remove_prefix(at + piece.size());
    }
    if (star == std::string_view::npos) break;
    middle_pattern.remove_prefix(star + 1);
  }
  return true;
}

bool pattern_list_match(std::string_view pipe_list, std::string_view text) {
  while (true) {
    const size_t bar = pipe_list.find('|');
    if (glob_match(pipe_list.substr(0, bar), text)) return true;
    if (bar == std::string_view::npos) return false;
    pipe_list.remove_prefix(bar + 1);
  }
}

}  // namespace sevu::usher

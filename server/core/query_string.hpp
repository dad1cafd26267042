// application/x-www-form-urlencoded query strings ("a=1&b=x%20y") and
// percent-decoding of URL pieces.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sevu {

// What a '%' not followed by two hex digits does: refuse the whole text (an
// API client's mistake, answered as one), or stay as it is, as PHP's
// urldecode() and nginx leave it (a viewer's query that a media server passes
// on raw: docs/hooks.md, "What is decided, what is logged").
enum class BadEscape { kRefuse, kKeepLiteral };

// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (query strings do
// this, paths do not). nullopt when a '%' is not followed by two hex digits
// and bad is kRefuse.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space,
                                          BadEscape bad = BadEscape::kRefuse);

// The segments of a path after `prefix`, each percent-decoded (a '+' stays a
// '+'); nullopt when the path does not start with prefix, a segment is badly
// encoded, or one is empty (a trailing or doubled '/'), which no route matches.
std::optional<std::vector<std::string>> path_segments(std::string_view path,
                                                      std::string_view prefix);

// Splits on '&', then at the first '=' of each piece, and calls
// visit(name, value) with both sides still encoded, in order, until it returns
// false. "a" gives ("a", ""); empty pieces ("a=1&&b=2") are skipped. For
// readers that decode only the pairs they want (docs/performance.md,
// "Credentials read in place").
template <typename Visit>
void for_each_raw_pair(std::string_view query, Visit&& visit) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    if (!visit(piece.substr(0, eq), value)) return;
  }
}

// Splits on '&', then at the first '=' of each piece, and decodes both sides.
// "a" gives ("a", ""); empty pieces ("a=1&&b=2") are skipped. Order and
// repeats are kept as received. nullopt when any piece is badly encoded and
// bad is kRefuse.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(
    std::string_view query, BadEscape bad = BadEscape::kRefuse);

}  // namespace sevu

#include "legacy/request_json.hpp"

#include <rapidjson/error/en.h>

#include <optional>
#include <set>
#include <string>

#include "legacy/php_json.hpp"

namespace sevu::legacy {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// What one pass over the text, outside strings, finds before rapidjson runs.
struct Prescan {
  // Bracket depth beyond kMaxJsonDepth: refused before rapidjson's recursive
  // parser (and our recursive encoder) ever see the text.
  bool too_deep = false;
  // Debian's rapidjson 1.1.0 has undefined behaviour (clz(0), oversized shifts)
  // when its full-precision parser meets a float zero with an exponent or many
  // digits (0e46, 0.000...0). Such a number is zero however it is written, so
  // the copy handed to rapidjson says 0.0 (a float, as PHP reads it) instead.
  // nullopt: nothing to change, parse the text as it is.
  std::optional<std::string> rewritten;
};

// Rewrites the number at text[i] (a '-' or digit) into out if it is a float
// zero; returns the index just past the number.
std::size_t scan_number(std::string_view text, std::size_t i, std::size_t& copied,
                        std::optional<std::string>& out) {
  const char c = text[i];
  // The number as JSON's grammar reads it; whatever follows is rapidjson's to refuse.
  std::size_t j = i + (c == '-');
  bool nonzero = false, fraction = false, exponent = false, complete = true;
  auto digits = [&](bool significant) {
    std::size_t from = j;
    for (; j < text.size() && is_digit(text[j]); ++j) nonzero |= significant && text[j] != '0';
    complete &= j > from;
  };
  digits(true);
  if (j < text.size() && text[j] == '.') {
    fraction = true;
    ++j;
    digits(true);
  }
  if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
    exponent = true;
    ++j;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    digits(false);
  }
  // A malformed number is refused by rapidjson before it computes a value.
  if (complete && (fraction || exponent) && !nonzero) {
    if (!out) out.emplace();
    out->append(text.substr(copied, i - copied));
    // The space keeps whatever followed from joining the new number.
    out->append(c == '-' ? "-0.0 " : "0.0 ");
    copied = j;
  }
  return j;
}

Prescan prescan(std::string_view text) {
  Prescan p;
  std::size_t copied = 0;
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        p.too_deep = true;
        return p;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '-' || is_digit(c)) {
      i = scan_number(text, i, copied, p.rewritten) - 1;
    }
  }
  if (p.rewritten) p.rewritten->append(text.substr(copied));
  return p;
}

// A problem found after rapidjson has run.
std::string check_document(const rapidjson::Document& doc) {
  if (doc.HasParseError()) {
    return std::string("malformed JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
           " at offset " + std::to_string(doc.GetErrorOffset());
  }
  if (!doc.IsObject()) return "the request is not a JSON object";
  std::set<std::string_view> names;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (!names.insert(name).second) {
      return "member '" + std::string(name) + "' occurs more than once";
    }
  }
  // rapidjson turns an escaped lone low surrogate into invalid UTF-8; PHP's
  // json_decode refuses it, and so do we (the encoder validates every string).
  if (!php_json_encode(doc)) return "invalid Unicode in a JSON string";
  return {};
}

}  // namespace

ParsedRequest parse_request_json(std::string_view text) {
  ParsedRequest r;
  // rapidjson stops at a NUL, which would let trailing bytes go unchecked.
  if (text.find('\0') != std::string_view::npos) {
    r.problem = "NUL byte in JSON text";
    return r;
  }
  const Prescan scan = prescan(text);
  if (scan.too_deep) {
    r.problem = "JSON nested too deeply";
    return r;
  }
  constexpr unsigned kFlags =
      rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;
  const std::string_view input = scan.rewritten ? std::string_view(*scan.rewritten) : text;
  r.doc.Parse<kFlags>(input.data(), input.size());
  r.problem = check_document(r.doc);
  r.ok = r.problem.empty();
  return r;
}

}  // namespace sevu::legacy

#include "legacy/request_json.hpp"

#include <rapidjson/error/en.h>

#include <set>

#include "legacy/php_json.hpp"

namespace sevu::legacy {

namespace {

// Bracket depth outside strings, checked before rapidjson's recursive parser
// (and our recursive encoder) ever see the text.
bool depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// A problem found before or after rapidjson has run.
std::string check_text(std::string_view text) {
  // rapidjson stops at a NUL, which would let trailing bytes go unchecked.
  if (text.find('\0') != std::string_view::npos) return "NUL byte in JSON text";
  if (!depth_within(text, kMaxJsonDepth)) return "JSON nested too deeply";
  return {};
}

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
  r.problem = check_text(text);
  if (!r.problem.empty()) return r;
  constexpr unsigned kFlags =
      rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;
  r.doc.Parse<kFlags>(text.data(), text.size());
  r.problem = check_document(r.doc);
  r.ok = r.problem.empty();
  return r;
}

}  // namespace sevu::legacy

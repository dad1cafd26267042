#include "legacy/wire/request_json.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.hpp"
#include "legacy/wire/php_json.hpp"

namespace sevu::legacy {

namespace {

// The member name met a second time first, in the document's order; empty
// when every name is unique. Sorted views find out whether there is one (a
// set of names cost a tree node per member on every signed request); only
// then is the document walked again for which.
std::string repeated_name(const rapidjson::Document& doc) {
  std::vector<std::string_view> names;
  names.reserve(doc.MemberCount());
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) names.push_back(text_of(m->name));
  std::sort(names.begin(), names.end());
  if (std::adjacent_find(names.begin(), names.end()) == names.end()) return {};
  std::set<std::string_view> seen;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    if (!seen.insert(text_of(m->name)).second) return std::string(text_of(m->name));
  }
  return {};
}

// A problem of a well-formed document. rapidjson turns an escaped lone low
// surrogate into invalid UTF-8; PHP's json_decode refuses it, and so do we:
// PHP's encoder checks every string, and a request it could not encode could
// not have been signed in form (b). The encoding itself is left to the
// signature check, which needs it only when no textual form matches
// (signature.hpp).
//
// Only an escape can make such a string: parse_json has refused text that is
// not valid UTF-8, and rapidjson a number too large for a double (PHP's other
// refusal). So text without a backslash is encodable, and the walk, a twelfth
// of a signed request's parse, is spared (docs/performance.md, "Signed forms
// made one at a time").
std::string check_document(const rapidjson::Document& doc, std::string_view text) {
  if (!doc.IsObject()) return "the request is not a JSON object";
  if (std::string name = repeated_name(doc); !name.empty())
    return "member '" + name + "' occurs more than once";
  const bool escapes = text.find('\\') != std::string_view::npos;
  if (escapes && !php_json_encodable(doc)) return "invalid Unicode in a JSON string";
  return {};
}

}  // namespace

ParsedRequest parse_request_json(std::string_view text) {
  ParsedRequest r;
  r.problem = parse_json(text, r.doc);
  if (r.problem.empty()) r.problem = check_document(r.doc, text);
  r.ok = r.problem.empty();
  return r;
}

}  // namespace sevu::legacy

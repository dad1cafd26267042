#include "legacy/request_json.hpp"

#include <set>
#include <string>

#include "core/json_util.hpp"
#include "legacy/php_json.hpp"

namespace sevu::legacy {

namespace {

// A problem of a well-formed document.
std::string check_document(const rapidjson::Document& doc) {
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
  r.problem = parse_json(text, r.doc);
  if (r.problem.empty()) r.problem = check_document(r.doc);
  r.ok = r.problem.empty();
  return r;
}

}  // namespace sevu::legacy

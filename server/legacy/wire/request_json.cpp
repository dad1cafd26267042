#include "legacy/wire/request_json.hpp"

#include <set>
#include <string>

#include "core/json_util.hpp"
#include "legacy/wire/php_json.hpp"
#include "legacy/wire/signature.hpp"

namespace sevu::legacy {

namespace {

// rapidjson turns an escaped lone low surrogate into invalid UTF-8; PHP's
// json_decode refuses it, and so do we (the encoder validates every string).
// The encoding without the signature is the one signing needs, so it is kept;
// the signature member, left out of it, is checked on its own.
std::string encode_for_php(const rapidjson::Document& doc, std::string& php_form) {
  auto form = php_json_encode_without(doc, kSignatureMember);
  bool signature_ok = true;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (name == kSignatureMember) signature_ok = php_json_encode(m->value).has_value();
  }
  if (!form || !signature_ok) return "invalid Unicode in a JSON string";
  php_form = std::move(*form);
  return {};
}

// A problem of a well-formed document.
std::string check_document(const rapidjson::Document& doc, std::string& php_form) {
  if (!doc.IsObject()) return "the request is not a JSON object";
  std::set<std::string_view> names;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (!names.insert(name).second) {
      return "member '" + std::string(name) + "' occurs more than once";
    }
  }
  return encode_for_php(doc, php_form);
}

}  // namespace

ParsedRequest parse_request_json(std::string_view text) {
  ParsedRequest r;
  r.problem = parse_json(text, r.doc);
  if (r.problem.empty()) r.problem = check_document(r.doc, r.php_form);
  r.ok = r.problem.empty();
  return r;
}

}  // namespace sevu::legacy

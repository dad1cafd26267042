#include "console/context.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "v2/errors.hpp"
#include "v2/request_body.hpp"

namespace sevu::console {

namespace {

std::optional<int64_t> take_cdn_id(v2::QueryArgs& args) {
  auto text = args.take("cdn_id");
  if (!text) return std::nullopt;
  auto n = parse_decimal(*text);
  if (!n) throw v2::bad_request(v2::code::kInvalidValue, "cdn_id must be a whole number", "cdn_id");
  return *n;
}

}  // namespace

std::optional<int64_t> attempt_scope(const Context& c, v2::QueryArgs& args) {
  const std::optional<int64_t> asked = take_cdn_id(args);
  if (c.viewer.is_operator()) return asked;
  if (asked && *asked != c.viewer.account->cdn_id) throw v2::not_found("no such account");
  return c.viewer.account->cdn_id;
}

Account acting_account(const Context& c, v2::QueryArgs& args) {
  const std::optional<int64_t> asked = take_cdn_id(args);
  if (!c.viewer.is_operator()) {
    if (asked && *asked != c.viewer.account->cdn_id) throw v2::not_found("no such account");
    return *c.viewer.account;
  }
  if (!asked)
    throw v2::bad_request(v2::code::kRequiredField, "the operator names the account: cdn_id",
                          "cdn_id");
  auto account = c.store.account(*asked);
  if (!account) throw v2::not_found("no such account");
  return *account;
}

Account acting_account_only(const Context& c) {
  v2::QueryArgs args(c.req.query());
  Account account = acting_account(c, args);
  args.reject_rest();
  return account;
}

void read_body(const Context& c, rapidjson::Document& doc) {
  const auto type = c.req.header("Content-Type");
  if (!type || media_type(*type) != "application/json")
    throw v2::V2Error(415, v2::code::kUnsupportedMediaType,
                      "the body must be JSON sent as application/json");
  v2::read_json_object(c.req, doc, false);
}

void only_members(const rapidjson::Value& body, std::initializer_list<std::string_view> known,
                  bool (*also)(std::string_view)) {
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    const std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (std::find(known.begin(), known.end(), name) == known.end() && !(also && also(name)))
      throw v2::bad_request(v2::code::kUnknownField, "unknown field: " + std::string(name),
                            std::string(name));
  }
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace sevu::console

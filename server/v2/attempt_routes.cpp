// Attempt listings: GET /v2/sevu_token/{key}/sevu_attempt and GET /v2/sevu_attempt/{key}.
#include "core/json_util.hpp"
#include "v2/errors.hpp"
#include "v2/query_args.hpp"
#include "v2/routes.hpp"
#include "v2/ticket_json.hpp"

namespace sevu::v2 {

namespace {

HttpResponse attempts_reply(const V2Context& c, const std::string& key, const Page& page) {
  AttemptFilter f;
  f.key = key;
  f.limit = page.limit;
  f.offset = page.offset;
  const std::vector<Attempt> rows = c.store.attempts(c.account.cdn_id, f);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const Attempt& a : rows) write_attempt(w, a);
  w.EndArray();
  return json_reply(200, buf);
}

}  // namespace

HttpResponse list_ticket_attempts(const V2Context& c, const std::string& key) {
  QueryArgs args(c.req.query());
  const Page page = take_page(args);
  args.reject_rest();
  if (!c.store.ticket(c.account.cdn_id, key)) throw not_found("no such sevu_token");
  return attempts_reply(c, key, page);
}

HttpResponse list_key_attempts(const V2Context& c, const std::string& key) {
  QueryArgs args(c.req.query());
  const Page page = take_page(args);
  args.reject_rest();
  return attempts_reply(c, key, page);
}

}  // namespace sevu::v2

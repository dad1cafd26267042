// GET /console/api/me, POST /console/api/logout, GET /console/api/accounts.
#include "console/login_token.hpp"
#include "console/routes.hpp"
#include "core/json_util.hpp"

namespace sevu::console {

HttpResponse me(const Context& c) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("operator");
  w.Bool(c.viewer.is_operator());
  w.Key("cdn_id");
  if (c.viewer.account)
    w.Int64(c.viewer.account->cdn_id);
  else
    w.Null();
  if (c.viewer.account) {
    put(w, "username", c.viewer.account->username);
  } else {
    w.Key("username");
    w.Null();
  }
  put(w, "csrf", csrf_token(c.viewer.token));
  w.Key("expires");
  w.Int64(c.viewer.expires);
  w.EndObject();
  return json_reply(200, buf);
}

HttpResponse logout(const Context& c) {
  c.store.delete_console_session(c.viewer.stored);
  HttpResponse r = no_content();
  r.headers.emplace_back("Set-Cookie", cleared_cookie(c.config.secure_cookie));
  return r;
}

HttpResponse accounts(const Context& c) {
  std::vector<Account> list;
  if (c.viewer.is_operator())
    list = c.store.accounts();
  else
    list.push_back(*c.viewer.account);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const Account& a : list) {
    w.StartObject();
    w.Key("cdn_id");
    w.Int64(a.cdn_id);
    put(w, "username", a.username);
    w.Key("active");
    w.Bool(a.active);
    w.EndObject();
  }
  w.EndArray();
  return json_reply(200, buf);
}

}  // namespace sevu::console

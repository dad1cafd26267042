// What every console route gets once the request passed the login and CSRF
// checks, and the scope rules (docs/console.md, "Scope").
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console/console_api.hpp"
#include "core/http_message.hpp"
#include "core/records.hpp"
#include "store/store.hpp"
#include "v2/query_args.hpp"

namespace sevu::console {

// Who is logged in: one account, or the operator (account empty).
struct Viewer {
  std::optional<Account> account;
  std::string token;   // the login's cookie token
  std::string stored;  // the name the store keeps the login under (login_token.hpp)
  int64_t expires = 0;
  bool is_operator() const { return !account; }
};

struct Context {
  const HttpRequest& req;
  Store& store;
  const ConsoleConfig& config;
  const Viewer& viewer;
  int64_t now;  // ticket time (Clock::now)
  std::vector<ViewingSession>& ended;  // sessions a route ended, handed on after it returns
};

// The attempts' scope: the viewer's account (a cdn_id naming another is 404);
// for the operator the cdn_id asked for (0: keys that matched no ticket), or
// every account when none is.
std::optional<int64_t> attempt_scope(const Context& c, v2::QueryArgs& args);

// The account a ticket or stream-user route acts on: the viewer's own (a
// cdn_id naming another is 404); the operator must name one (400 without,
// 404 for an unknown one).
Account acting_account(const Context& c, v2::QueryArgs& args);
// The same for a route that takes no other query argument (any other is a 400).
Account acting_account_only(const Context& c);

// A JSON body of a POST or PUT: application/json only (a cross-site form
// cannot send it), one object (v2's reading of it).
void read_body(const Context& c, rapidjson::Document& doc);

// 400 UNKNOWN_FIELD naming the first member of body not in known: a misspelt
// setting must not answer 200 having changed nothing.
// also (may be null): true for more names it takes, kept where they are read.
void only_members(const rapidjson::Value& body, std::initializer_list<std::string_view> known,
                  bool (*also)(std::string_view) = nullptr);

HttpResponse no_content();

}  // namespace sevu::console

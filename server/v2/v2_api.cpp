// Routing for /v2/: authenticate, match the path, check the method, dispatch.
#include "v2/v2_api.hpp"

#include <string>
#include <utility>
#include <vector>

#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "v2/basic_auth.hpp"
#include "v2/errors.hpp"
#include "v2/routes.hpp"

namespace sevu {

namespace {

enum class Route {
  kTicketCollection,  // /v2/sevu_token
  kTicket,            // /v2/sevu_token/{key}
  kTicketAttempts,    // /v2/sevu_token/{key}/sevu_attempt
  kKeyAttempts,       // /v2/sevu_attempt/{key}
  kTicketLimits,      // /v2/sevu_token/{key}/limits
  kTicketSessions,    // /v2/sevu_token/{key}/sessions
  kTicketSession,     // /v2/sevu_token/{key}/sessions/{id}
};

struct Match {
  Match(Route r, std::string k, std::string id = {})
      : route(r), key(std::move(k)), session(std::move(id)) {}
  Route route;
  std::string key;
  std::string session;  // kTicketSession's id
};

std::optional<Match> match_route(std::string_view path) {
  auto seg = path_segments(path, "/v2/");
  if (!seg) return std::nullopt;
  const auto& s = *seg;
  if (s[0] == "sevu_token") {
    if (s.size() == 1) return Match{Route::kTicketCollection, {}};
    if (s.size() == 2) return Match{Route::kTicket, s[1]};
    if (s.size() == 3 && s[2] == "sevu_attempt") return Match{Route::kTicketAttempts, s[1]};
    if (s.size() == 3 && s[2] == "limits") return Match{Route::kTicketLimits, s[1]};
    if (s.size() == 3 && s[2] == "sessions") return Match{Route::kTicketSessions, s[1]};
    if (s.size() == 4 && s[2] == "sessions") return Match{Route::kTicketSession, s[1], s[3]};
  } else if (s[0] == "sevu_attempt" && s.size() == 2) {
    return Match{Route::kKeyAttempts, s[1]};
  }
  return std::nullopt;
}

HttpResponse dispatch(const Match& m, const v2::V2Context& c) {
  const std::string_view method = c.req.routed_method();
  switch (m.route) {
    case Route::kTicketCollection:
      if (method == "GET") return v2::list_tickets(c);
      if (method == "PUT") return v2::create_ticket(c);
      throw v2::method_not_allowed("GET, PUT");
    case Route::kTicket:
      if (method == "GET") return v2::get_ticket(c, m.key);
      if (method == "POST") return v2::update_ticket(c, m.key);
      if (method == "DELETE") return v2::delete_ticket(c, m.key);
      throw v2::method_not_allowed("GET, POST, DELETE");
    case Route::kTicketAttempts:
      if (method == "GET") return v2::list_ticket_attempts(c, m.key);
      throw v2::method_not_allowed("GET");
    case Route::kKeyAttempts:
      if (method == "GET") return v2::list_key_attempts(c, m.key);
      throw v2::method_not_allowed("GET");
    case Route::kTicketLimits:
      if (method == "GET") return v2::get_limits(c, m.key);
      if (method == "PUT") return v2::put_limits(c, m.key);
      throw v2::method_not_allowed("GET, PUT");
    case Route::kTicketSessions:
      if (method == "GET") return v2::list_sessions(c, m.key);
      if (method == "DELETE") return v2::end_sessions(c, m.key);
      throw v2::method_not_allowed("GET, DELETE");
    case Route::kTicketSession:
      if (method == "DELETE") return v2::end_session(c, m.key, m.session);
      throw v2::method_not_allowed("DELETE");
  }
  throw v2::not_found("no such route");
}

}  // namespace

HttpResponse V2Api::answer(const HttpRequest& req, Store& store) {
  // Credentials first: without them nothing, not even which routes exist, is answered.
  const Account account = v2::authenticate(req, store);
  auto match = match_route(req.path());
  if (!match) throw v2::not_found("no such route");
  // Refused on every route, also those that read no body (docs/decisions.md).
  if (nested_too_deep(req.body)) throw v2::bad_request(v2::code::kInvalidJson, json_too_deep());
  std::vector<ViewingSession> ended;
  const v2::V2Context context{req, store, account, clock_.now(), ended};
  HttpResponse response = dispatch(*match, context);
  if (!ended.empty() && sessions_ended_) sessions_ended_(ended);
  return response;
}

HttpResponse V2Api::handle(const HttpRequest& req, Store& store) {
  try {
    if (!only_reads(req)) return answer(req, store);
    HttpResponse response;
    store.read_together([&] { response = answer(req, store); });
    return response;
  } catch (const v2::V2Error& e) {
    if (e.status >= 500)
      errors_.report("v2 " + req.method + " " + std::string(req.path()), e.what());
    return v2::error_response(e);
  }
}

}  // namespace sevu

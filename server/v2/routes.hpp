// The v2 route handlers. Each runs after authentication, on a store worker,
// and throws V2Error for anything it refuses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/http_message.hpp"
#include "core/records.hpp"
#include "store/store.hpp"

namespace sevu::v2 {

struct V2Context {
  const HttpRequest& req;
  Store& store;
  const Account& account;  // the authenticated account; every store call is scoped to it
  int64_t now;             // ticket time (Clock::now)
  // Sessions a handler ended, once the store has them: V2Api hands them on
  // (V2Api::SessionsEnded) after the handler returns.
  std::vector<ViewingSession>& ended;
};

// /v2/sevu_token
HttpResponse list_tickets(const V2Context& c);   // GET
HttpResponse create_ticket(const V2Context& c);  // PUT
// /v2/sevu_token/{key}
HttpResponse get_ticket(const V2Context& c, const std::string& key);     // GET
HttpResponse update_ticket(const V2Context& c, const std::string& key);  // POST
HttpResponse delete_ticket(const V2Context& c, const std::string& key);  // DELETE
// /v2/sevu_token/{key}/sevu_attempt: the ticket must exist (else 404).
HttpResponse list_ticket_attempts(const V2Context& c, const std::string& key);  // GET
// /v2/sevu_attempt/{key}: the attempt log for a key, even after its ticket is gone.
HttpResponse list_key_attempts(const V2Context& c, const std::string& key);  // GET

// Extensions (docs/v2-api.md, "Viewer limits and sessions"); the ticket must
// exist in the account (else 404).
// /v2/sevu_token/{key}/limits
HttpResponse get_limits(const V2Context& c, const std::string& key);  // GET
HttpResponse put_limits(const V2Context& c, const std::string& key);  // PUT
// /v2/sevu_token/{key}/sessions: the live ones, oldest first; DELETE ends them all.
HttpResponse list_sessions(const V2Context& c, const std::string& key);  // GET
HttpResponse end_sessions(const V2Context& c, const std::string& key);   // DELETE
// /v2/sevu_token/{key}/sessions/{id}: ends one live session (else 404).
HttpResponse end_session(const V2Context& c, const std::string& key,
                         const std::string& id);  // DELETE

}  // namespace sevu::v2

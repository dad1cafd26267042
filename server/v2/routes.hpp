// The v2 route handlers. Each runs after authentication, on a store worker,
// and throws V2Error for anything it refuses.
#pragma once

#include <cstdint>
#include <string>

#include "core/http_message.hpp"
#include "core/records.hpp"
#include "store/store.hpp"

namespace sevu::v2 {

struct V2Context {
  const HttpRequest& req;
  Store& store;
  const Account& account;  // the authenticated account; every store call is scoped to it
  int64_t now;             // ticket time (Clock::now)
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

}  // namespace sevu::v2

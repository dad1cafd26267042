// The console's API routes (docs/console.md). Each runs on a store worker
// after the login and CSRF checks, and throws v2::V2Error for what it refuses.
#pragma once

#include <string>

#include "console/context.hpp"

namespace sevu::console {

// login_routes.cpp (login itself runs before any login exists: console_api.cpp)
HttpResponse me(const Context& c);        // GET /console/api/me
HttpResponse logout(const Context& c);    // POST /console/api/logout
HttpResponse accounts(const Context& c);  // GET /console/api/accounts

// attempt_routes.cpp
HttpResponse attempts(const Context& c);  // GET /console/api/attempts
HttpResponse timeline(const Context& c);  // GET /console/api/timeline
HttpResponse ticket_attempts(const Context& c, const std::string& key);  // GET …/{key}/attempts

// ticket_routes.cpp
HttpResponse list_tickets(const Context& c);                              // GET …/tickets
HttpResponse create_ticket(const Context& c);                             // POST …/tickets
HttpResponse get_ticket(const Context& c, const std::string& key);        // GET …/{key}
HttpResponse revoke_ticket(const Context& c, const std::string& key);     // POST …/{key}/revoke
HttpResponse list_sessions(const Context& c, const std::string& key);     // GET …/{key}/sessions
HttpResponse end_session(const Context& c, const std::string& key,
                         const std::string& id);                          // DELETE …/sessions/{id}
HttpResponse put_limits(const Context& c, const std::string& key);        // PUT …/{key}/limits

// stream_user_routes.cpp
HttpResponse list_stream_users(const Context& c);                        // GET …/stream-users
HttpResponse add_stream_user(const Context& c);                          // POST …/stream-users
HttpResponse update_stream_user(const Context& c, const std::string& id);  // PUT …/{id}
HttpResponse remove_stream_user(const Context& c, const std::string& id);  // DELETE …/{id}

}  // namespace sevu::console

// A ticket (the wire's sevu_token) and an attempt (sevu_attempt) as JSON, shaped
// like the spec page's examples: id number (decided), cdn_id string, uses number,
// active boolean, dates "YYYY-MM-DD HH:MM:SS".
#pragma once

#include <string>
#include <vector>

#include "core/http_message.hpp"
#include "core/json_util.hpp"
#include "core/records.hpp"

namespace sevu::v2 {

// The twelve fields in the spec's order; with attempts, a thirteenth member
// "sevu_attempt" holds them as an array.
void write_ticket(JsonWriter& w, const Ticket& t, const std::vector<Attempt>* attempts = nullptr);
// The twelve fields alone, inside an object the caller opened (the console adds
// members of its own to the same object).
void write_ticket_members(JsonWriter& w, const Ticket& t);

// id number, datetime string, key..refurl strings, success boolean, reason
// string, server_ip string (the name of the server that handled the attempt).
void write_attempt(JsonWriter& w, const Attempt& a);

// {"max_viewers": N, "when_full": "deny"|"end_oldest"}: the ticket's viewer
// limit, kept out of the upstream-shaped token object.
void write_limits(JsonWriter& w, const Ticket& t);

// A live viewing session: id, key, ip, app, video, media_server, protocol
// strings; started and last_seen dates.
void write_session(JsonWriter& w, const ViewingSession& s);

}  // namespace sevu::v2

// How the console's API writes attempts and tickets (docs/console.md).
#pragma once

#include "core/json_util.hpp"
#include "core/records.hpp"

namespace sevu::console {

// {"id", "cdn_id", "datetime" (unix seconds), "key", "app", "video", "ip",
// "result": "granted"|"denied", "reason", "server"}: never the pass.
void write_attempt(JsonWriter& w, const Attempt& a);

// v2's ticket object (v2/ticket_json.hpp) with one more member, "limits":
// {"max_viewers", "when_full"}.
void write_ticket(JsonWriter& w, const Ticket& t);

}  // namespace sevu::console

// The `ticket` object of sevu.request and sevu.status replies: every value a
// string, exactly like upstream's example ("uses": "5", "active": "1",
// "used_date": "0000-00-00 00:00:00" until first use).
#pragma once

#include "core/json_util.hpp"
#include "store/records.hpp"

namespace sevu::legacy {

// Writes "ticket": {key, pass, ip, video, app, created_date, used_date, uses,
// active[, expire_date]}.
void write_ticket_member(JsonWriter& w, const Ticket& t, bool with_expire_date);

}  // namespace sevu::legacy

#include "legacy/ticket_payload.hpp"

#include <string>

#include "core/datetime.hpp"

namespace sevu::legacy {

void write_ticket_member(JsonWriter& w, const Ticket& t, bool with_expire_date) {
  w.Key("ticket");
  w.StartObject();
  put(w, "key", t.key);
  put(w, "pass", t.pass);
  put(w, "ip", t.ip);
  put(w, "video", t.video);
  put(w, "app", t.app);
  put(w, "created_date", format_datetime(t.created));
  put(w, "used_date", format_datetime(t.used));
  put(w, "uses", std::to_string(t.uses));
  put(w, "active", std::string(t.active ? "1" : "0"));
  if (with_expire_date) put(w, "expire_date", format_datetime(t.expires));
  w.EndObject();
}

}  // namespace sevu::legacy

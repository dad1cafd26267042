#include "console/json.hpp"

#include "v2/ticket_json.hpp"

namespace sevu::console {

void write_attempt(JsonWriter& w, const Attempt& a) {
  w.StartObject();
  w.Key("id");
  w.Int64(a.id);
  w.Key("cdn_id");
  w.Int64(a.cdn_id);
  w.Key("datetime");
  w.Int64(a.datetime);
  put_text(w, "key", a.key);
  put_text(w, "app", a.app);
  put_text(w, "video", a.video);
  put_text(w, "ip", a.ip);
  put(w, "result", a.success ? "granted" : "denied");
  put_text(w, "reason", a.reason);
  put_text(w, "server", a.server);
  w.EndObject();
}

void write_ticket(JsonWriter& w, const Ticket& t) {
  // v2's twelve fields, then the viewer limit beside them in the same object.
  w.StartObject();
  v2::write_ticket_members(w, t);
  w.Key("limits");
  v2::write_limits(w, t);
  w.EndObject();
}

}  // namespace sevu::console

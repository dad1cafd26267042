#include "console/json.hpp"

#include <rapidjson/document.h>

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
  // v2 writes the whole object; it is read back so one member can join it,
  // rather than a second writer of the same twelve fields.
  rapidjson::StringBuffer buf;
  JsonWriter inner(buf);
  v2::write_ticket(inner, t);
  rapidjson::Document doc;
  doc.Parse(buf.GetString(), buf.GetSize());
  rapidjson::StringBuffer limits_buf;
  JsonWriter limits_writer(limits_buf);
  v2::write_limits(limits_writer, t);
  rapidjson::Document limits(&doc.GetAllocator());
  limits.Parse(limits_buf.GetString(), limits_buf.GetSize());
  doc.AddMember("limits", rapidjson::Value(limits, doc.GetAllocator()), doc.GetAllocator());
  doc.Accept(w);
}

}  // namespace sevu::console

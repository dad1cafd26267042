#include "v2/ticket_json.hpp"

#include "core/datetime.hpp"

namespace sevu::v2 {

void write_ticket(JsonWriter& w, const Ticket& t, const std::vector<Attempt>* attempts) {
  w.StartObject();
  write_ticket_members(w, t);
  if (attempts != nullptr) {
    w.Key("sevu_attempt");
    w.StartArray();
    for (const Attempt& a : *attempts) write_attempt(w, a);
    w.EndArray();
  }
  w.EndObject();
}

void write_ticket_members(JsonWriter& w, const Ticket& t) {
  w.Key("id");
  w.Int64(t.id);
  put(w, "cdn_id", std::to_string(t.cdn_id));  // a string in the spec's examples
  put_text(w, "key", t.key);
  put_text(w, "pass", t.pass);
  put_text(w, "ip", t.ip);
  put_text(w, "video", t.video);
  put_text(w, "app", t.app);
  w.Key("uses");
  w.Int64(t.uses);
  w.Key("active");
  w.Bool(t.active);
  put(w, "created_date", format_datetime(t.created));
  put(w, "expire_date", format_date(t.expires));
  put(w, "used_date", format_datetime(t.used));  // "0000-00-00 00:00:00" until used
}

void write_attempt(JsonWriter& w, const Attempt& a) {
  w.StartObject();
  w.Key("id");
  w.Int64(a.id);
  put(w, "datetime", format_datetime(a.datetime));
  put_text(w, "key", a.key);
  put_text(w, "pass", a.pass);
  put_text(w, "ip", a.ip);
  put_text(w, "video", a.video);
  put_text(w, "app", a.app);
  put_text(w, "appinst", a.appinst);
  put_text(w, "pageurl", a.pageurl);
  put_text(w, "refurl", a.refurl);
  w.Key("success");
  w.Bool(a.success);
  put_text(w, "reason", a.reason);
  put_text(w, "server_ip", a.server);
  w.EndObject();
}

void write_limits(JsonWriter& w, const Ticket& t) {
  w.StartObject();
  w.Key("max_viewers");
  w.Int64(t.max_viewers);
  put(w, "when_full", t.when_full);
  w.EndObject();
}

void write_session(JsonWriter& w, const ViewingSession& s) {
  w.StartObject();
  put(w, "id", s.id);
  put_text(w, "key", s.key);
  put_text(w, "ip", s.ip);
  put_text(w, "app", s.app);
  put_text(w, "video", s.video);
  put_text(w, "media_server", s.media_server);
  put_text(w, "protocol", s.protocol);
  put(w, "started", format_datetime(s.started));
  put(w, "last_seen", format_datetime(s.last_seen));
  w.EndObject();
}

}  // namespace sevu::v2

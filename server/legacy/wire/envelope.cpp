#include "legacy/wire/envelope.hpp"

#include <cstdio>

namespace sevu::legacy {

Reply reply(Code code) {
  Reply r;
  r.code = code;
  r.message = code_info(code).message;
  return r;
}

Reply reply(Code code, std::string_view detail) {
  Reply r = reply(code);
  if (!code_info(code).verbatim) {
    r.message += ": ";
    r.message += detail;
    return r;
  }
  r.payload = [text = std::string(detail)](JsonWriter& w) { put(w, "detail", text); };
  return r;
}

std::string format_handle_time(double seconds) {
  if (!(seconds > 0)) seconds = 0;  // also catches NaN
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f seconds", seconds);
  return buf;
}

std::string render_envelope(const Reply& r, double handle_seconds) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  put(w, "status", std::string(code_info(r.code).success ? "success" : "failure"));
  w.Key("code");
  w.Int(static_cast<int>(r.code));
  put(w, "message", r.message);
  if (r.payload) r.payload(w);
  put(w, "handle_time", format_handle_time(handle_seconds));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sevu::legacy

#include "legacy/wire/envelope.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/text.hpp"

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

// In whole ten-thousandths, as "%.4f" rounds them, without snprintf: its format
// parsing cost a thousand instructions on every signed write's reply, made by
// the writer that every signed write waits on (docs/performance.md, "Dates
// written without snprintf"). No request takes 10^9 s; the bound keeps the
// count of ten-thousandths exact in a double and in an int64_t.
std::string format_handle_time(double seconds) {
  constexpr double kLongestHandleSeconds = 1e9;
  if (!(seconds > 0)) seconds = 0;  // also catches NaN
  seconds = std::min(seconds, kLongestHandleSeconds);
  const int64_t units = std::llround(seconds * 10000);
  std::string out = std::to_string(units / 10000);
  const std::size_t fraction = out.size() + 1;  // just past the '.'
  out += ".0000 seconds";
  put_digits(&out[fraction], units % 10000, 4);
  return out;
}

std::string render_payload(const Reply& r) {
  if (!r.payload_text.empty()) return r.payload_text;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (r.payload) r.payload(w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {

// Appends the members of object_text ("{...}", as render_payload writes it)
// after the member the writer wrote last. The writer keeps no text of its
// own: it writes to buf as it goes, and the comma before its next member
// follows from the members it counted, which include the message.
void copy_members(rapidjson::StringBuffer& buf, std::string_view object_text) {
  if (object_text.size() <= 2) return;  // "{}"
  const std::string_view members = object_text.substr(1, object_text.size() - 2);
  buf.Put(',');
  std::memcpy(buf.Push(members.size()), members.data(), members.size());
}

}  // namespace

std::string render_envelope(const Reply& r, double handle_seconds) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  put(w, "status", std::string(code_info(r.code).success ? "success" : "failure"));
  w.Key("code");
  w.Int(static_cast<int>(r.code));
  put(w, "message", r.message);
  if (!r.payload_text.empty()) {
    copy_members(buf, r.payload_text);
  } else if (r.payload) {
    r.payload(w);
  }
  put(w, "handle_time", format_handle_time(handle_seconds));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sevu::legacy

#include "core/http_message.hpp"

#include "core/json_util.hpp"
#include "core/text.hpp"

namespace sevu {

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  // Most names differ in length: that test, inline, spares a call for each of
  // them (a hook request looks up five headers among a handful).
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && iequals(k, name)) return v;
  }
  return std::nullopt;
}

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

HttpResponse json_error(int status, std::string_view code, std::string_view message,
                        std::string_view field) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("field");  // always present; null when no one field is concerned
  if (field.empty()) {
    w.Null();
  } else {
    w.String(field.data(), static_cast<rapidjson::SizeType>(field.size()));
  }
  w.EndObject();
  return json_reply(status, buf);
}

bool is_read_method(std::string_view method) { return method == "GET" || method == "HEAD"; }

HttpResponse method_not_allowed(std::string_view allow, std::string_view message) {
  HttpResponse r = json_error(405, "METHOD_NOT_ALLOWED", message);
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

std::optional<HttpResponse> too_deep_refusal(const HttpRequest& req) {
  if (!nested_too_deep(req.body)) return std::nullopt;
  return json_error(400, "INVALID_JSON", json_too_deep());
}

}  // namespace sevu

// What the server tells its operator about each request and each decision
// (docs/operations.md, Logs): the metrics of every answer, the access log and
// the decision log, JSON lines, written off the io threads by LogFile. They
// never hold a query string, a body, an Authorization header, a pass or a password.
#include <chrono>

#include "app/app.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"

namespace sevu {

namespace {

// A path as logged: valid UTF-8, bounded, never the query (it may carry a pass).
constexpr std::size_t kMaxLoggedPath = 256;

}  // namespace

Responder App::measured(std::string_view listener, const HttpRequest& req, Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view route = route_class(req.path());
  if (!access_log_) {
    return [this, listener, route, started, respond = std::move(respond)](HttpResponse r) {
      metrics_.request(listener, route, r.status, std::chrono::steady_clock::now() - started);
      respond(std::move(r));
    };
  }
  return [this, listener, route, started, respond = std::move(respond), method = req.method,
          path = to_valid_utf8(req.path(), kMaxLoggedPath), client = req.remote_ip](HttpResponse r) {
    const auto took = std::chrono::steady_clock::now() - started;
    metrics_.request(listener, route, r.status, took);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    put(w, "time", log_timestamp());
    put(w, "listener", std::string(listener));
    put(w, "client", client);
    put(w, "method", to_valid_utf8(method, 16));
    put(w, "route", path);
    w.Key("status");
    w.Int(r.status);
    w.Key("bytes");
    w.Uint64(r.body.size());
    w.Key("duration_ms");
    w.Double(std::chrono::duration<double, std::milli>(took).count());
    w.EndObject();
    access_log_->write(buf.GetString());
    respond(std::move(r));
  };
}

void App::log_decision(const UsherRequest& req, const UsherDecision& d) {
  if (!decision_log_) return;
  const bool publish = is_publish(req.action);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  put(w, "time", log_timestamp());
  w.Key("account");
  w.Int64(d.cdn_id);
  // A viewer's key or a publisher's stream user: never the pass or password.
  put(w, publish ? "user" : "key", to_valid_utf8(
      (publish ? req.credentials.user : req.credentials.key).value_or(""), 256));
  put(w, "app", to_valid_utf8(req.app, 256));
  put(w, "video", to_valid_utf8(req.video, 256));
  put(w, "ip", to_valid_utf8(req.client_ip, 64));
  put(w, "result", d.result());
  put(w, "reason", d.decided() ? d.reason : std::string());
  put(w, "server", config_.server_name);
  put(w, "media_server", req.media_server);
  w.EndObject();
  decision_log_->write(buf.GetString());
}

void App::reopen_logs() {
  if (access_log_) access_log_->reopen();
  if (decision_log_) decision_log_->reopen();
  log_line(LogLevel::kInfo, "SIGHUP: log files reopened");
}

}  // namespace sevu

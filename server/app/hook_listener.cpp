// The hook listener's routes: /hooks/* to the hook API (hooks/), and the
// operator's own: health, readiness, metrics, the test clock.
#include <rapidjson/document.h>

#include <cmath>
#include <sstream>

#include "app/app.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"

namespace sevu {

namespace {
HttpResponse text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(type);
  r.body = std::move(body);
  return r;
}
}  // namespace

Handler App::hook_handler() {
  return [this](HttpRequest&& req, Responder respond) {
    route_hook(std::move(req), std::move(respond));
  };
}

void App::route_hook(HttpRequest&& req, Responder respond) {
  metrics_.hook_requests++;
  auto path = req.path();
  if (path.substr(0, 7) == "/hooks/") return hooks_.handle(req, std::move(respond));
  if (path == "/healthz") return respond(text(200, "ok\n"));
  if (path == "/readyz") return ready(respond);
  if (path == "/metrics") return respond(text(200, metrics_text(), "text/plain; version=0.0.4"));
  if (path.substr(0, 6) == "/test/") return test_route(req, respond);
  respond(json_error(404, "NOT_FOUND", "no such route"));
}

// /test/* moves ticket time: guarded by the hook token exactly like /hooks/*,
// and checked first, so without it no one learns whether test controls are on.
void App::test_route(const HttpRequest& req, const Responder& respond) {
  if (auto denied = hooks_.check_token(req)) return respond(std::move(*denied));
  if (req.path() == "/test/clock" && config_.test_controls) {
    if (req.method != "POST") return respond(json_error(405, "METHOD_NOT_ALLOWED", "use POST"));
    return test_clock(req, respond);
  }
  respond(json_error(404, "NOT_FOUND", "no such route"));
}

void App::ready(const Responder& respond) {
  // Ready when a store worker answers: proves the pool runs and the DB opens.
  bool queued = pool_.submit([respond](Store& store) {
    try {
      store.account(0);
      respond(text(200, "ready\n"));
    } catch (const std::exception& e) {
      respond(text(503, std::string("store unavailable: ") + e.what() + "\n"));
    }
  }, StorePool::Lane::hooks);
  if (!queued) respond(text(503, "store busy\n"));
}

void App::test_clock(const HttpRequest& req, const Responder& respond) {
  rapidjson::Document doc;
  std::string problem = parse_json(req.body, doc);
  if (problem.empty() && !doc.IsObject()) problem = "body must be a JSON object";
  if (!problem.empty()) return respond(json_error(400, "INVALID_JSON", problem));
  if (auto now = string_member(doc, "now")) {
    auto t = parse_datetime(*now, clock_.wall());
    if (!t) return respond(json_error(400, "INVALID_VALUE", "now: not a date"));
    clock_.set(*t);
  } else if (auto seconds = int_member(doc, "advance")) {
    clock_.advance(*seconds);
  } else if (doc.HasMember("advance") && doc["advance"].IsNumber() &&
             std::abs(doc["advance"].GetDouble()) < 1e12) {
    clock_.advance(static_cast<int64_t>(doc["advance"].GetDouble()));
  } else {
    return respond(json_error(400, "REQUIRED_FIELD", "give \"now\" or \"advance\""));
  }
  respond(text(200, "{\"now\":\"" + format_datetime(clock_.now()) + "\"}", "application/json"));
}

std::string App::metrics_text() const {
  std::ostringstream out;
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << v << '\n';
  };
  counter("sevu_api_requests_total", "Requests on the public API listener.", metrics_.api_requests);
  counter("sevu_hook_requests_total", "Requests on the hook listener.", metrics_.hook_requests);
  counter("sevu_shed_total", "Requests refused because the store queue was full.",
          metrics_.shed + usher_.shed());
  counter("sevu_internal_errors_total",
          "Requests that failed with an internal error (legacy code 4, HTTP 500).",
          errors_.count());
  out << "# HELP sevu_store_queue_depth Jobs waiting for a store worker.\n"
      << "# TYPE sevu_store_queue_depth gauge\nsevu_store_queue_depth " << pool_.queued() << '\n';
  return out.str();
}

}  // namespace sevu

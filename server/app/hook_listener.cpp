// The hook listener's routes: /hooks/* to the hook API (hooks/), and the
// operator's own: health, readiness, metrics, the test clock.
#include <rapidjson/document.h>

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
  if (path.substr(0, 6) == "/test/") return test_route(req, respond);  // test_routes.cpp
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

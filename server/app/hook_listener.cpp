// The hook listener's routes: /hooks/* to the hook API (hooks/), and the
// operator's own: health, readiness, metrics, the test clock.
#include <rapidjson/document.h>


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
    auto answer = measured("hooks", req, std::move(respond));
    route_hook(std::move(req), std::move(answer));
  };
}

void App::route_hook(HttpRequest&& req, Responder respond) {
  auto path = req.path();
  if (path.substr(0, 7) == "/hooks/") return hooks_.handle(std::move(req), std::move(respond));
  const bool ops = path == "/healthz" || path == "/readyz" || path == "/metrics";
  // Probes and scrapers only read (docs/operations.md, "Health and metrics").
  if (ops && !is_read_method(req.method)) return respond(method_not_allowed("GET, HEAD", "use GET"));
  // They read no body, and refuse one nested too deep, as every route does
  // (docs/decisions.md).
  if (auto refused = ops ? too_deep_refusal(req) : std::nullopt)
    return respond(std::move(*refused));
  if (path == "/healthz") return respond(text(200, "ok\n"));
  if (path == "/readyz") return ready(respond);
  if (path == "/metrics") return respond(text(200, metrics_.render(), "text/plain; version=0.0.4"));
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

}  // namespace sevu

#include "app/app.hpp"


namespace sevu {

App::App(AppConfig config, StorePool& pool, Clock& clock, HttpClient* outbound)
    : config_(std::move(config)),
      pool_(pool),
      clock_(clock),
      metrics_(MetricsSources{[this] { return errors_.count(); },
                              [this] { return api_shed_.load() + usher_.shed(); },
                              [this] { return pool_.queued(); }}),
      kicker_(config_.kicks, outbound,
              [this](std::string_view server, std::string_view result) {
                metrics_.kick(server, result);
              }),
      api_writes_(pool, StorePool::Lane::api),
      legacy_(clock, config_.legacy, errors_, &api_writes_, ended_to_usher()),
      v2_(clock, errors_, ended_to_usher()),
      console_(clock, errors_, config_.console, ended_to_usher()),
      usher_(
          clock,
          UsherConfig{config_.server_name, config_.session_idle, config_.session_ttl,
                      config_.hash_workers, config_.publish_fail_delay_ms},
          pool,
          UsherObserver{[this](const UsherRequest& req, const UsherDecision& d) {
                          metrics_.decision(d);
                          log_decision(req, d);
                        },
                        [this](std::size_t n) { metrics_.batch(n); },
                        [this](const std::vector<ViewingSession>& ended) { kicker_.kick(ended); }}),
      hooks_(HookConfig{config_.hook_token, config_.ome_secret, config_.ome_real_ip_from}, usher_,
             errors_, clock) {
  if (!config_.access_log.empty()) access_log_ = std::make_unique<LogFile>(config_.access_log);
  if (!config_.decision_log.empty()) decision_log_ = std::make_unique<LogFile>(config_.decision_log);
}

std::function<void(const std::vector<ViewingSession>&)> App::ended_to_usher() {
  return [this](const std::vector<ViewingSession>& ended) { usher_.sessions_ended(ended); };
}

void App::write_waiting() {
  usher_.write_waiting();
}

Handler App::api_handler() {
  return [this](HttpRequest&& req, Responder respond) {
    auto answer = measured("api", req, std::move(respond));
    route_api(std::move(req), std::move(answer));
  };
}

void App::route_api(HttpRequest&& req, Responder respond) {
  auto path = req.path();
  // The console's pages come from memory: no hop to the store.
  if (ConsoleApi::is_page(path)) return respond(console_.page(req));
  bool legacy = path == "/stable/" || path == "/stable";
  bool v2 = path == "/v2" || path.substr(0, 4) == "/v2/";
  bool console = ConsoleApi::is_api(path);
  if (!legacy && !v2 && !console) return respond(json_error(404, "NOT_FOUND", "no such route"));

  auto shared = std::make_shared<HttpRequest>(std::move(req));
  // Any legacy command, any v2 method but GET and any console action on
  // tickets or stream users may change them: what the usher remembers of them
  // must not outlive the change.
  const bool may_write = legacy || (console ? ConsoleApi::may_change_tickets(*shared)
                                            : !is_read_method(shared->method));
  const char* api = legacy ? "legacy " : console ? "console " : "v2 ";
  // A legacy answer, written or refused, may follow a change to tickets.
  Responder legacy_answer;
  if (legacy) {
    legacy_answer = [this, respond](HttpResponse answer) {
      usher_.tickets_changed();
      respond(std::move(answer));
    };
  }
  auto job = [this, shared, respond, legacy_answer, legacy, console, may_write, api](Store& store) {
    try {
      // Answered now or, for a write, once its batch commits.
      if (legacy) return legacy_.handle(*shared, store, legacy_answer);
      HttpResponse answer = console ? console_.handle(*shared, store) : v2_.handle(*shared, store);
      if (may_write) usher_.tickets_changed();
      respond(std::move(answer));
    } catch (const StoreUnavailable& e) {
      if (may_write) usher_.tickets_changed();
      errors_.report(api + shared->method + " " + std::string(shared->path()), e.what());
      respond(legacy ? legacy_.busy() : json_error(503, "UNAVAILABLE", "store unavailable, try again"));
    } catch (...) {
      if (may_write) usher_.tickets_changed();
      errors_.report_current(api + shared->method + " " + std::string(shared->path()));
      respond(json_error(500, "INTERNAL", "internal error"));
    }
  };
  // Read your writes: the attempts of decisions already answered are in the
  // store before this request reads it (docs/performance.md, "Durability").
  const bool only_reads = v2 && V2Api::only_reads(*shared);
  usher_.after_logged(
      [this, shared, job = std::move(job), respond, legacy_answer, legacy, only_reads]() mutable {
        // A signed write whose account passes its checks here needs no store
        // worker: it goes to the writer at once (docs/performance.md).
        if (legacy && legacy_.write_without_store_hop(*shared, legacy_answer)) return;
        const bool queued =
            only_reads ? pool_.submit_read(std::move(job)) : pool_.submit(std::move(job));
        if (!queued) {
          api_shed_++;
          respond(legacy ? legacy_.busy() : json_error(503, "BUSY", "server busy, try again"));
        }
      });
}

}  // namespace sevu

// Wires the APIs to the listeners: which path goes where, and the hop from the
// io thread to the store pool.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "hooks/hook_api.hpp"
#include "app/metrics.hpp"
#include "app/session_kicker.hpp"
#include "console/console_api.hpp"
#include "core/http_client.hpp"
#include "core/log_file.hpp"
#include "legacy/legacy_api.hpp"
#include "store/store_pool.hpp"
#include "usher_service/usher_service.hpp"
#include "v2/v2_api.hpp"

namespace sevu {

struct AppConfig {
  LegacyConfig legacy;
  bool test_controls = false;  // POST /test/clock, /test/reset, /test/fixtures on the hook listener
  std::string hook_token;      // required on /hooks/* and /test/* when set
  std::string ome_secret;      // OvenMediaEngine's AdmissionWebhooks SecretKey (/hooks/ome)
  std::string ome_real_ip_from;  // whose client.real_ip counts (hooks/hook_api.hpp)
  std::string server_name = "sevu";
  int64_t session_idle = 60;             // HTTP streaming session window
  int64_t session_ttl = 300;             // other sessions: over when unseen this long
  std::size_t hash_workers = 1;          // threads verifying publish passwords
  int64_t publish_fail_delay_ms = 4000;  // longest hold of a refused publish's answer
  std::string access_log;                // JSON lines per request; empty: none, "-": stdout
  std::string decision_log;              // JSON lines per usher decision; empty: none
  KickerConfig kicks;                    // media servers' APIs that drop an ended session's client
  ConsoleConfig console;                 // the web console (docs/console.md)
};

class App {
 public:
  // outbound: sends the kicks of config.kicks (may be null when none is configured).
  App(AppConfig config, StorePool& pool, Clock& clock, HttpClient* outbound = nullptr);

  Handler api_handler();   // public listener: /stable/, /v2/, /console/
  Handler hook_handler();  // hook listener: /hooks/*, /healthz, /readyz, /metrics, /test/*
  void reopen_logs();      // SIGHUP: the log files start anew under their names
  // Owed attempt rows waiting for company go to a writer now: call once the
  // server has stopped, before the store pool stops.
  void write_waiting();

 private:
  void route_api(HttpRequest&& req, Responder respond);
  void route_hook(HttpRequest&& req, Responder respond);
  void test_clock(const HttpRequest& req, const Responder& respond);
  void test_reset(const Responder& respond);
  void test_fixtures(const HttpRequest& req, const Responder& respond);
  void test_store_job(std::function<HttpResponse(Store&)> job, const Responder& respond);
  void ready(const Responder& respond);
  void test_route(const HttpRequest& req, const Responder& respond);
  // The answer to every request goes through this, for sevu_requests_total and
  // the latency histograms.
  Responder measured(std::string_view listener, const HttpRequest& req, Responder respond);
  void log_decision(const UsherRequest& req, const UsherDecision& d);
  // Where the APIs (legacy, v2, the console) hand the sessions they ended:
  // the usher, whose next answer to each is a refusal.
  std::function<void(const std::vector<ViewingSession>&)> ended_to_usher();

  AppConfig config_;
  StorePool& pool_;
  Clock& clock_;
  ErrorSink errors_;  // before the APIs, which report into it
  std::atomic<uint64_t> api_shed_{0};  // API requests refused: store queue full
  Metrics metrics_;  // before the usher service, which reports into it
  SessionKicker kicker_;  // before the usher service, which hands it ended sessions
  std::unique_ptr<LogFile> access_log_, decision_log_;  // when configured
  GroupCommit api_writes_;  // the legacy API's signed writes, batched; before legacy_
  LegacyApi legacy_;
  V2Api v2_;
  ConsoleApi console_;
  UsherService usher_;
  HookApi hooks_;
};

}  // namespace sevu

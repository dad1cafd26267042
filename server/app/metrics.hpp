// What /metrics shows (docs/operations.md, Metrics), in Prometheus' conventions
// through prometheus-cpp's core library (its registry and text format; its own
// HTTP exposer is not used: /metrics is a route of the hook listener).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "usher_service/usher_request.hpp"

namespace prometheus {
class Registry;
}

namespace sevu {

// Read at each scrape: what other parts count themselves.
struct MetricsSources {
  std::function<uint64_t()> internal_errors;  // ErrorSink
  std::function<uint64_t()> shed;             // requests refused: store queue full
  std::function<std::size_t()> store_queue;   // jobs waiting for a store worker
};

class Metrics {
 public:
  explicit Metrics(MetricsSources sources);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered request: listener "api" or "hooks"; route a class from a
  // fixed set ("legacy", "v2", "nginx-rtmp", ..., "other": route_class()),
  // never a raw path. Both must outlive the Metrics (string literals do).
  void request(std::string_view listener, std::string_view route, int status,
               std::chrono::steady_clock::duration took);
  // One usher decision: result "allowed", "denied", "busy" or "error"; reason as logged.
  void decision(const UsherDecision& d);
  // One group commit of n decisions.
  void batch(std::size_t n);
  // One ended session a media server's API was asked to drop (app/session_kicker.hpp):
  // server "srs" or "mediamtx", result from the kicker's fixed set.
  void kick(std::string_view server, std::string_view result);

  std::string render() const;  // the text exposition format

 private:
  struct Families;
  MetricsSources sources_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
};

// The route class of a path, for labels: a fixed, small set.
std::string_view route_class(std::string_view path);

}  // namespace sevu

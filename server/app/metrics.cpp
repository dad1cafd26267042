#include "app/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>
#include <string_view>
#include <tuple>

#ifndef SEVU_VERSION
#define SEVU_VERSION "unknown"
#endif

namespace sevu {

namespace {

// Seconds; from well under a millisecond (an answer from memory) to the
// timeouts, so that both a healthy p99 and a stall show.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Decisions per group commit.
const prometheus::Histogram::BucketBoundaries kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

// Orders (result, reason) keys as views, so that counting a decision finds its
// series without building two strings (transparent: find() takes views).
struct ViewPairLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    using Views = std::pair<std::string_view, std::string_view>;
    return Views(a.first, a.second) < Views(b.first, b.second);
  }
};

}  // namespace

struct Metrics::Families {
  explicit Families(prometheus::Registry& r)
      : requests(prometheus::BuildCounter()
                     .Name("sevu_requests_total")
                     .Help("Requests answered, by listener, route class and status.")
                     .Register(r)),
        latency(prometheus::BuildHistogram()
                    .Name("sevu_request_duration_seconds")
                    .Help("Time from a whole request to its answer, by listener and route class.")
                    .Register(r)),
        decisions(prometheus::BuildCounter()
                      .Name("sevu_decisions_total")
                      .Help("Usher decisions by result (allowed, denied, busy, unavailable, error) and reason.")
                      .Register(r)),
        batches(prometheus::BuildHistogram()
                    .Name("sevu_commit_batch_size")
                    .Help("Decisions that shared one group commit.")
                    .Register(r)
                    .Add({}, kBatchBuckets)),
        // Kept from the first releases, for dashboards built on them.
        api_requests(prometheus::BuildCounter()
                         .Name("sevu_api_requests_total")
                         .Help("Requests on the public API listener.")
                         .Register(r)
                         .Add({})),
        hook_requests(prometheus::BuildCounter()
                          .Name("sevu_hook_requests_total")
                          .Help("Requests on the hook listener.")
                          .Register(r)
                          .Add({})),
        internal_errors(prometheus::BuildCounter()
                            .Name("sevu_internal_errors_total")
                            .Help("Requests that failed with an internal error (legacy code 4, HTTP 500).")
                            .Register(r)
                            .Add({})),
        shed(prometheus::BuildCounter()
                 .Name("sevu_shed_total")
                 .Help("Requests refused because the store queue was full.")
                 .Register(r)
                 .Add({})),
        kicks(prometheus::BuildCounter()
                  .Name("sevu_session_kicks_total")
                  .Help("Ended sessions a media server's API was asked to drop, by server and "
                        "result (kicked, gone, failed, dropped, unnamed).")
                  .Register(r)),
        store_queue(prometheus::BuildGauge()
                        .Name("sevu_store_queue_depth")
                        .Help("Jobs waiting for a store worker.")
                        .Register(r)
                        .Add({})) {
    prometheus::BuildGauge()
        .Name("sevu_build_info")
        .Help("The running build: always 1, labelled with its version.")
        .Register(r)
        .Add({{"version", SEVU_VERSION}})
        .Set(1);
  }

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Family<prometheus::Counter>& decisions;
  prometheus::Histogram& batches;
  prometheus::Counter& api_requests;
  prometheus::Counter& hook_requests;
  prometheus::Counter& internal_errors;
  prometheus::Counter& shed;
  prometheus::Family<prometheus::Counter>& kicks;
  prometheus::Gauge& store_queue;

  // Family::Add hashes its labels under the family's lock on every call; the
  // series are few and never removed, so each is looked up once and kept.
  std::mutex mutex;
  std::mutex render_mutex;  // one scrape at a time brings the sources up to date
  // A request's two series, found in one lookup by where the listener and
  // route names lie and how long they are: both are string literals, which live
  // as long as the program (see request()), so no text is compared or built
  // per request. One literal at two addresses makes two entries; Family::Add
  // hands both the same series. Comparing the names as text, in two maps,
  // cost 2-3 % of a refused start's io thread (docs/performance.md).
  struct RequestSeries {
    prometheus::Counter* count = nullptr;
    prometheus::Histogram* latency = nullptr;
  };
  std::map<std::tuple<const char*, std::size_t, const char*, std::size_t, int>, RequestSeries>
      request_series;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*, ViewPairLess>
      decision_series;
};

Metrics::Metrics(MetricsSources sources)
    : sources_(std::move(sources)),
      registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_)) {}

Metrics::~Metrics() = default;

void Metrics::request(std::string_view listener, std::string_view route, int status,
                      std::chrono::steady_clock::duration took) {
  Families& f = *families_;
  (listener == "api" ? f.api_requests : f.hook_requests).Increment();
  Families::RequestSeries series;
  {
    std::lock_guard<std::mutex> lock(f.mutex);
    auto& s = f.request_series[std::make_tuple(listener.data(), listener.size(), route.data(),
                                               route.size(), status)];
    if (!s.count) {
      s.count = &f.requests.Add({{"listener", std::string(listener)},
                                 {"route", std::string(route)},
                                 {"status", std::to_string(status)}});
      s.latency = &f.latency.Add({{"listener", std::string(listener)}, {"route", std::string(route)}},
                                 kLatencyBuckets);
    }
    series = s;
  }
  series.count->Increment();
  series.latency->Observe(std::chrono::duration<double>(took).count());
}

void Metrics::decision(const UsherDecision& d) {
  Families& f = *families_;
  const std::pair<std::string_view, std::string_view> key{
      d.result(), d.decided() ? std::string_view(d.reason) : std::string_view()};
  prometheus::Counter* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(f.mutex);
    auto it = f.decision_series.find(key);
    if (it == f.decision_series.end()) {
      std::pair<std::string, std::string> labels{key.first, key.second};
      auto* added = &f.decisions.Add({{"result", labels.first}, {"reason", labels.second}});
      it = f.decision_series.emplace(std::move(labels), added).first;
    }
    c = it->second;
  }
  c->Increment();
}

void Metrics::batch(std::size_t n) {
  families_->batches.Observe(static_cast<double>(n));
}

void Metrics::kick(std::string_view server, std::string_view result) {
  // Rare (one per ended session of a configured server): looked up each time.
  families_->kicks.Add({{"server", std::string(server)}, {"result", std::string(result)}}).Increment();
}

std::string Metrics::render() const {
  Families& f = *families_;
  std::lock_guard<std::mutex> lock(f.render_mutex);
  // Counted elsewhere; brought up to date for this scrape.
  if (sources_.internal_errors) {
    const double now = static_cast<double>(sources_.internal_errors());
    f.internal_errors.Increment(now - f.internal_errors.Value());
  }
  if (sources_.shed) {
    const double now = static_cast<double>(sources_.shed());
    f.shed.Increment(now - f.shed.Value());
  }
  if (sources_.store_queue) f.store_queue.Set(static_cast<double>(sources_.store_queue()));
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

std::string_view route_class(std::string_view path) {
  if (path == "/stable/" || path == "/stable") return "legacy";
  if (path == "/v2" || path.substr(0, 4) == "/v2/") return "v2";
  if (path == "/console" || path.substr(0, 9) == "/console/") return "console";
  for (std::string_view hook : {"nginx-rtmp", "auth-request", "srs", "mediamtx", "check"}) {
    if (path.size() == 7 + hook.size() && path.substr(0, 7) == "/hooks/" && path.substr(7) == hook)
      return hook;
  }
  if (path == "/healthz" || path == "/readyz") return "health";
  if (path == "/metrics") return "metrics";
  if (path.substr(0, 6) == "/test/") return "test";
  return "other";
}

}  // namespace sevu

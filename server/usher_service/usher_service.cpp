#include "usher_service/usher_service.hpp"

#include <exception>
#include <memory>
#include <utility>

#include "usher_service/playback.hpp"

namespace sevu {

namespace {

usher_service::PublishLimits publish_limits(const UsherConfig& config) {
  usher_service::PublishLimits limits;
  limits.hash_workers = config.hash_workers;
  limits.max_fail_delay = std::chrono::milliseconds(config.publish_fail_delay_ms);
  return limits;
}

UsherDecision not_decided(UsherDecision::Status status, std::string failure = {}) {
  UsherDecision d;
  d.status = status;
  d.failure = std::move(failure);
  return d;
}

}  // namespace

UsherService::UsherService(const Clock& clock, UsherConfig config, StorePool& stores)
    : clock_(clock),
      config_(std::move(config)),
      stores_(stores),
      sessions_(config_.session_idle),
      publishes_(stores, publish_limits(config_)) {}

void UsherService::decide(UsherRequest req, DecisionDone done) {
  auto shared = std::make_shared<UsherRequest>(std::move(req));
  const bool queued = stores_.submit(
      [this, shared, done](Store& store) { decide_on(store, *shared, done); },
      StorePool::Lane::hooks);
  if (!queued) {
    shed_.fetch_add(1, std::memory_order_relaxed);
    done(not_decided(UsherDecision::Status::kBusy));
  }
}

// On a store worker. A failure before done was called is answered kFailed, so
// every request hears exactly once.
void UsherService::decide_on(Store& store, const UsherRequest& req, const DecisionDone& done) {
  const int64_t now = clock_.now();
  UsherDecision d;
  try {
    if (is_publish(req.action))
      return publishes_.start(store, req, now, config_.server_name, done);  // throws only before done
    d = decide_viewer(store, req, now);
  } catch (const std::exception& e) {
    d = not_decided(UsherDecision::Status::kFailed, e.what());
  } catch (...) {
    d = not_decided(UsherDecision::Status::kFailed, "a non-standard exception");
  }
  done(std::move(d));
}

UsherDecision UsherService::decide_viewer(Store& store, const UsherRequest& req, int64_t now) {
  switch (req.action) {
    case UsherAction::kStart:
      return usher_service::start_playback(store, req, now, config_.server_name);
    case UsherAction::kView:
      return usher_service::view_in_session(store, sessions_, req, now, config_.server_name);
    case UsherAction::kEnd:
      return usher_service::end_viewing(store, sessions_, req, now);
    case UsherAction::kRecheck:
    default:
      return usher_service::recheck_playback(store, req, now);
  }
}

}  // namespace sevu

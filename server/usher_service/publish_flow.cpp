#include "usher_service/publish_flow.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "auth/password_hash.hpp"
#include "usher_service/attempt_log.hpp"

namespace sevu::usher_service {

struct PublishFlow::Pending {
  UsherRequest req;
  int64_t now = 0;
  std::string server;
  DecisionDone done;
  PublishRows rows;
  PublishVerdict verdict;

  bool logged() const { return req.action == UsherAction::kPublish; }  // not a re-check
};

namespace {

UsherDecision busy() {
  UsherDecision d;
  d.status = UsherDecision::Status::kBusy;
  return d;
}

FailureDelay::Policy fail_delay_policy(const PublishLimits& limits) {
  FailureDelay::Policy policy;
  policy.max = limits.max_fail_delay;
  policy.first = std::min(policy.first, policy.max);
  return policy;
}

}  // namespace

PublishFlow::PublishFlow(StorePool& stores, PublishLimits limits)
    : stores_(stores),
      delays_(fail_delay_policy(limits)),
      held_(limits.held_answers),
      hashes_(limits.hash_workers, limits.hash_queue, limits.hash_queue_per_address) {}

void PublishFlow::start(Store& store, UsherRequest req, int64_t now, std::string server,
                        DecisionDone done) {
  auto p = std::make_shared<Pending>();
  p->req = std::move(req);
  p->now = now;
  p->server = std::move(server);
  p->rows = publish_rows(store, p->req);
  if (auto verdict = rule_publish_without_hash(p->rows, p->req)) {
    p->verdict = *verdict;
    p->done = std::move(done);
    return finish(store, p);
  }
  // Lanes are per client address: one address's flood waits behind itself.
  const std::string lane = p->req.client_ip;
  p->done = done;
  if (!hashes_.submit(lane, [this, p] { verify(p); })) done(busy());
}

void PublishFlow::verify(const std::shared_ptr<Pending>& p) {
  try {
    p->verdict = rule_publish(p->rows, p->req, verify_password);
  } catch (const std::exception& e) {
    return fail(p, e);
  }
  if (!p->logged()) return answer(p);  // a re-check: nothing to record
  if (!stores_.submit([this, p](Store& store) { finish(store, p); }, StorePool::Lane::hooks))
    p->done(busy());
}

void PublishFlow::finish(Store& store, const std::shared_ptr<Pending>& p) {
  if (p->logged()) {
    try {
      log_attempt(store, p->req, p->verdict.cdn_id, p->verdict.allowed, p->verdict.reason, p->now,
                  p->server);
    } catch (const std::exception& e) {
      return fail(p, e);
    }
  }
  answer(p);
}

void PublishFlow::answer(const std::shared_ptr<Pending>& p) {
  UsherDecision d;
  d.allowed = p->verdict.allowed;
  d.reason = p->verdict.reason;
  d.cdn_id = p->verdict.cdn_id;
  // A re-check of a running publisher is no guess: never held.
  if (d.allowed || !p->logged()) return p->done(std::move(d));
  const Credentials& c = p->req.credentials;
  const auto delay = delays_.fail(failure_keys(p->req.client_ip, p->req.app, c.user ? &*c.user : nullptr),
                                  std::chrono::steady_clock::now());
  auto held = std::make_shared<UsherDecision>(std::move(d));
  auto done = p->done;
  // Held on the timer thread; when too many are held, answered at once.
  if (delay.count() <= 0 || !held_.after(delay, [done, held] { done(std::move(*held)); }))
    done(std::move(*held));
}

void PublishFlow::fail(const std::shared_ptr<Pending>& p, const std::exception& e) {
  UsherDecision d;
  d.status = dynamic_cast<const StoreUnavailable*>(&e) ? UsherDecision::Status::kUnavailable
                                                       : UsherDecision::Status::kFailed;
  d.failure = e.what();
  p->done(std::move(d));
}

}  // namespace sevu::usher_service

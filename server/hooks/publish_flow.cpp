#include "hooks/publish_flow.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "auth/password_hash.hpp"

namespace sevu::hooks {

struct PublishFlow::Pending {
  PublishCall call;
  Responder respond;
  PublishRows rows;
  PublishVerdict verdict;
};

namespace {

HttpResponse busy() {
  // 503 denies in every hook protocol: "busy" is never read as "allowed".
  return json_error(503, "BUSY", "server busy, try again");
}

FailureDelay::Policy fail_delay_policy(const PublishLimits& limits) {
  FailureDelay::Policy policy;
  policy.max = limits.max_fail_delay;
  policy.first = std::min(policy.first, policy.max);
  return policy;
}

}  // namespace

PublishFlow::PublishFlow(StorePool& stores, PublishLimits limits, ErrorReport on_error)
    : stores_(stores),
      on_error_(std::move(on_error)),
      delays_(fail_delay_policy(limits)),
      held_(limits.held_answers),
      hashes_(limits.hash_workers, limits.hash_queue, limits.hash_queue_per_address) {}

void PublishFlow::start(Store& store, PublishCall call, Responder respond) {
  auto p = std::make_shared<Pending>();
  p->call = std::move(call);
  p->rows = publish_rows(store, p->call.attempt);
  if (auto verdict = rule_publish_without_hash(p->rows, p->call.attempt)) {
    p->verdict = *verdict;
    p->respond = std::move(respond);
    return finish(store, p);
  }
  // Lanes are per client address: one address's flood waits behind itself.
  const std::string lane = p->call.attempt.ip;
  p->respond = respond;
  if (!hashes_.submit(lane, [this, p] { verify(p); })) respond(busy());
}

void PublishFlow::verify(const std::shared_ptr<Pending>& p) {
  try {
    p->verdict = rule_publish(p->rows, p->call.attempt, verify_password);
  } catch (const std::exception& e) {
    return fail(p, e);
  }
  if (!p->call.log) return answer(p);  // a re-check: nothing to record
  if (!stores_.submit([this, p](Store& store) { finish(store, p); })) p->respond(busy());
}

void PublishFlow::finish(Store& store, const std::shared_ptr<Pending>& p) {
  if (p->call.log) {
    try {
      log_publish(store, p->call.attempt, p->verdict, p->call.now, p->call.server);
    } catch (const std::exception& e) {
      return fail(p, e);
    }
  }
  answer(p);
}

void PublishFlow::answer(const std::shared_ptr<Pending>& p) {
  GateResult result;
  result.allowed = p->verdict.allowed;
  result.reason = p->verdict.reason;
  auto response = std::make_shared<HttpResponse>(p->call.answer(result));
  // A re-check of a running publisher is no guess: never held.
  if (result.allowed || !p->call.log) return p->respond(std::move(*response));
  const PublishAttempt& a = p->call.attempt;
  const auto delay = delays_.fail(failure_keys(a.ip, a.app, a.user ? &*a.user : nullptr),
                                  std::chrono::steady_clock::now());
  auto respond = p->respond;
  // Held on the timer thread; when too many are held, answered at once.
  if (delay.count() <= 0 ||
      !held_.after(delay, [respond, response] { respond(std::move(*response)); }))
    respond(std::move(*response));
}

void PublishFlow::fail(const std::shared_ptr<Pending>& p, const std::exception& e) {
  if (on_error_) on_error_(e);
  p->respond(json_error(500, "INTERNAL", "internal error"));
}

}  // namespace sevu::hooks

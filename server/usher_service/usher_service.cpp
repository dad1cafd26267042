#include "usher_service/usher_service.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "usher_service/attempt_log.hpp"
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

// A refusal answered from memory owes its attempt row (docs/performance.md,
// "Owed rows wait for company"). A writer woken for every ten rows or so
// spent 9-10 us of CPU per row, two fifths of it on the batch around the row
// (a commit, the wake-up); woken every 32 rows, 7.1 us; every 128, 5.3-5.6 us
// (the bench machine). 5 ms bounds how late a lone refusal's row is written,
// and with it what a SIGKILL can take beyond the batch in flight
// (docs/performance.md, "Durability").
constexpr OwedBatching kOwedRows{128, std::chrono::milliseconds(5)};

}  // namespace

UsherService::UsherService(const Clock& clock, UsherConfig config, StorePool& stores,
                           UsherObserver observer)
    : clock_(clock),
      config_(std::move(config)),
      observer_(std::move(observer)),
      stores_(stores),
      sessions_(config_.session_idle),
      publishes_(stores, publish_limits(config_)),
      writes_(stores, StorePool::Lane::hooks, observer_.committed, GroupCommit::kMaxWaiting,
              GroupCommit::kMaxBatch, kOwedRows) {}

void UsherService::decide(UsherRequest&& req, DecisionDone done) {
  // Answered here, on the calling thread, without a store read and without
  // the request moved to the heap: the commonest decisions at a big event.
  if (auto d = decided_from_memory(req)) {
    observe(req, *d);
    return done(std::move(*d));
  }
  auto shared = std::make_shared<UsherRequest>(std::move(req));
  done = observed(shared, std::move(done));
  // Anything else is decided on a store thread, and heard on the asker's own.
  done = heard_through(shared->on_own_thread, std::move(done));
  if (writes(*shared)) return decide_write(std::move(shared), std::move(done));
  decide_read(std::move(shared), std::move(done));
}

DecisionDone UsherService::observed(std::shared_ptr<UsherRequest> req, DecisionDone done) const {
  if (!observer_.decided) return done;
  return [this, req = std::move(req), done = std::move(done)](UsherDecision d) {
    observe(*req, d);
    done(std::move(d));
  };
}

void UsherService::observe(const UsherRequest& req, const UsherDecision& d) const {
  if (observer_.decided) observer_.decided(req, d);
}

// A start writes; so does an HTTP request that opens a viewing session. A
// request inside a live session re-checks (should the session lapse before a
// store worker takes it, it is a start there, in a transaction of its own).
bool UsherService::writes(const UsherRequest& req) const {
  if (req.action == UsherAction::kStart) return true;
  if (req.action != UsherAction::kView) return false;
  return !usher_service::in_live_session(sessions_, req, clock_.now());
}

// A request of a live HTTP session whose facts are remembered; a start its
// ticket's remembered facts refuse, its attempt row owed to the next group
// commit. nullopt: the store decides.
std::optional<UsherDecision> UsherService::decided_from_memory(const UsherRequest& req) {
  if (req.action == UsherAction::kView)
    return usher_service::view_from_memory(sessions_, req, clock_.now());
  if (req.action == UsherAction::kStart) return refused_from_memory(req);
  return std::nullopt;
}

std::optional<UsherDecision> UsherService::refused_from_memory(const UsherRequest& req) {
  const int64_t now = clock_.now();
  std::optional<UsherDecision> d = usher_service::refuse_from_memory(refusals_, req, now);
  if (!d) return std::nullopt;
  auto row = std::make_shared<const Attempt>(
      usher_service::attempt_row(req, d->cdn_id, false, d->reason, now, config_.server_name));
  const bool owed = writes_.owe([row](Store& store, IfRolledBack& if_rolled_back) {
    store.hold_attempt(*row);
    if_rolled_back.owed_rows.push_back(row);
  });
  if (!owed) return std::nullopt;  // the writer's queue is full: the store path decides, or sheds
  return d;
}

void UsherService::decide_write(std::shared_ptr<UsherRequest> req, DecisionDone done) {
  // A refusal promises nothing the commit must keep: answered before it.
  auto decided = std::make_shared<UsherDecision>();
  // The session a start would open is named here, on the calling thread: its
  // id's random bits cost 5 % of the writer's time per grant (perf), and the
  // writer is the one thread every write waits on.
  std::optional<usher_service::SessionPlan> opens;
  if (req->action != UsherAction::kView)
    opens = usher_service::connection_session(*req, config_.session_ttl);
  auto work = [this, req, decided, opens = std::move(opens)](Store& store,
                                                             IfRolledBack& if_rolled_back) {
    const int64_t now = clock_.now();
    *decided = req->action == UsherAction::kView
                   ? usher_service::view_in_session(store, sessions_, *req, now,
                                                    config_.server_name, if_rolled_back)
                   : usher_service::start_playback(store, *req, now, config_.server_name, *opens,
                                                   &if_rolled_back, &refusals_);
    return decided->allowed;
  };
  auto answer = [this, req, decided, done](WriteOutcome outcome) {
    switch (outcome.status) {
      case WriteOutcome::Status::kDone:
        // Bumped sessions are in the store now: told only after the commit.
        if (!decided->ended_sessions.empty()) sessions_ended(decided->ended_sessions);
        // A grant spent a use (maybe bound an address): a refusal read before
        // it would give the wrong reason now.
        if (decided->allowed) refusals_.forget(req->credentials.key.value_or(""));
        return done(std::move(*decided));
      case WriteOutcome::Status::kFailed:
        return done(not_decided(UsherDecision::Status::kFailed, std::move(outcome.failure)));
      case WriteOutcome::Status::kUnavailable:
        return done(not_decided(UsherDecision::Status::kUnavailable, std::move(outcome.failure)));
      case WriteOutcome::Status::kBusy:
        return refuse_busy(done);
    }
  };
  BatchedWrite write{std::move(work), std::move(answer)};
  // Each of these decisions reads its ticket first; *req lives as long as
  // work, which holds it.
  if (req->credentials.key) write.reads_ticket = *req->credentials.key;
  if (!writes_.submit(std::move(write))) refuse_busy(done);
}

void UsherService::decide_read(std::shared_ptr<UsherRequest> req, DecisionDone done) {
  const bool queued = stores_.submit(
      [this, req, done](Store& store) { read_on(store, *req, done); }, StorePool::Lane::hooks);
  if (!queued) refuse_busy(done);
}

void UsherService::tickets_changed() {
  sessions_.forget_facts();
  refusals_.forget();
}

void UsherService::sessions_ended(const std::vector<ViewingSession>& ended) {
  sessions_.forget_facts();
  if (observer_.sessions_ended && !ended.empty()) observer_.sessions_ended(ended);
}

void UsherService::forget_sessions() {
  sessions_.clear();
  sessions_.forget_facts();
  refusals_.forget();
}

void UsherService::refuse_busy(const DecisionDone& done) {
  shed_.fetch_add(1, std::memory_order_relaxed);
  done(not_decided(UsherDecision::Status::kBusy));
}

// On a store worker. A failure before done was called is answered kFailed, so
// every request hears exactly once.
void UsherService::read_on(Store& store, const UsherRequest& req, const DecisionDone& done) {
  const int64_t now = clock_.now();
  UsherDecision d;
  try {
    if (is_publish(req.action))
      return publishes_.start(store, req, now, config_.server_name, done);  // throws only before done
    d = read_viewer(store, req, now);
  } catch (const StoreUnavailable& e) {
    d = not_decided(UsherDecision::Status::kUnavailable, e.what());
  } catch (const std::exception& e) {
    d = not_decided(UsherDecision::Status::kFailed, e.what());
  } catch (...) {
    d = not_decided(UsherDecision::Status::kFailed, "a non-standard exception");
  }
  done(std::move(d));
}

UsherDecision UsherService::read_viewer(Store& store, const UsherRequest& req, int64_t now) {
  switch (req.action) {
    case UsherAction::kView: {
      IfRolledBack unused;  // its own transaction, should it have to start
      return usher_service::view_in_session(store, sessions_, req, now, config_.server_name, unused);
    }
    case UsherAction::kEnd:
      return usher_service::end_viewing(store, sessions_, req, now, config_.session_ttl);
    default:
      return usher_service::recheck_connection(store, req, now, config_.session_ttl);
  }
}

}  // namespace sevu

// The usher service: the one entry point for every decision a media server asks
// for (docs/hooks.md). It takes an UsherRequest from any adapter and answers
// one UsherDecision, and it owns what those decisions share: the clock they
// are taken at, the viewing-session table, the attempt log, the publish flow
// that keeps password hashing off the store workers, and the hop to the store
// pool. Adapters never see the store.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/store_pool.hpp"
#include "store/group_commit.hpp"
#include "usher_service/publish_flow.hpp"
#include "usher_service/ticket_memory.hpp"
#include "usher_service/usher_request.hpp"
#include "usher_service/viewing_sessions.hpp"

namespace sevu {

struct UsherConfig {
  std::string server_name = "sevu";      // logged as each attempt's server
  int64_t session_idle = 60;             // viewing-session window over HTTP, seconds
  int64_t session_ttl = 300;             // other sessions: over when unseen this long, seconds
  std::size_t hash_workers = 1;          // threads verifying publish passwords (--hash-workers)
  int64_t publish_fail_delay_ms = 4000;  // longest delay of a refused publish; 0 = none
};

// Who hears of every decision (metrics, the decision log), on whichever thread
// made it, before the adapter answers. Either may be empty.
struct UsherObserver {
  std::function<void(const UsherRequest&, const UsherDecision&)> decided;
  std::function<void(std::size_t)> committed;  // decisions that shared one group commit
  // Sessions ended by this process (a bump, the API): media servers with an
  // API to drop a client are told (docs/sessions.md). Off the io thread.
  std::function<void(const std::vector<ViewingSession>&)> sessions_ended;
};

class UsherService {
 public:
  UsherService(const Clock& clock, UsherConfig config, StorePool& stores,
               UsherObserver observer = {});
  UsherService(const UsherService&) = delete;
  UsherService& operator=(const UsherService&) = delete;

  // From any thread; never blocks. The decision is taken on a store worker (a
  // publish's password on the hash pool) and handed to done exactly once: at
  // once when the store queue is full (kBusy), later otherwise. Decisions that
  // write (starts, and HTTP requests that open a viewing session) share
  // transactions through group commit; the others are reads.
  void decide(UsherRequest&& req, DecisionDone done);

  // Tickets or accounts were changed through this process (an API write): what
  // the service remembers of them goes stale at once. Changes made elsewhere
  // reach it within a second (viewing_sessions.hpp, ticket_memory.hpp).
  void tickets_changed();

  // From any thread: `then` runs once every decision answered so far has its
  // attempt row in the store (a refusal is answered before its row commits),
  // at once when none is pending. API reads go through it, so an attempt
  // listing asked for after an answer shows that answer's attempt.
  void after_logged(std::function<void()> then) { writes_.after_answered(std::move(then)); }

  // Owed attempt rows waiting for company (GroupCommit::owe) go to a writer
  // now: before the store pool stops.
  void write_waiting() { writes_.write_waiting(); }

  // Sessions were ended through the API (already marked in the store): every
  // remembered fact goes stale, so their next request reads the end, and
  // observer.sessions_ended hears of them.
  void sessions_ended(const std::vector<ViewingSession>& ended);

  // Every viewing session ends and every remembered fact goes (POST /test/reset).
  void forget_sessions();

  // Requests refused unheard because the store queue was full.
  uint64_t shed() const { return shed_.load(std::memory_order_relaxed); }

 private:
  bool writes(const UsherRequest& req) const;
  DecisionDone observed(std::shared_ptr<UsherRequest> req, DecisionDone done) const;
  void observe(const UsherRequest& req, const UsherDecision& d) const;
  std::optional<UsherDecision> decided_from_memory(const UsherRequest& req);
  std::optional<UsherDecision> refused_from_memory(const UsherRequest& req);
  void decide_write(std::shared_ptr<UsherRequest> req, DecisionDone done);
  void decide_read(std::shared_ptr<UsherRequest> req, DecisionDone done);
  void read_on(Store& store, const UsherRequest& req, const DecisionDone& done);
  UsherDecision read_viewer(Store& store, const UsherRequest& req, int64_t now);
  void refuse_busy(const DecisionDone& done);

  const Clock& clock_;
  const UsherConfig config_;
  const UsherObserver observer_;
  StorePool& stores_;
  usher_service::ViewingSessions sessions_;
  usher_service::TicketMemory refusals_;  // what refused starts read (ticket_memory.hpp)
  usher_service::PublishFlow publishes_;
  GroupCommit writes_;
  std::atomic<uint64_t> shed_{0};
};

}  // namespace sevu

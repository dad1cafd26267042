// The way a publish is decided without ever hashing a password on a store
// worker (docs/hooks.md, Publishing):
//   store worker: read the candidate rows (cheap); decide at once when no
//                 password needs checking;
//   hash pool:    verify the password (PBKDF2, tens of milliseconds), on a
//                 few threads of its own with a bounded queue per address;
//   store worker: log the attempt;
//   answer:       at once when allowed; a refusal is held for a growing delay
//                 (failure_delay.hpp) on a timer thread, never a sleeping one.
// A full hash queue or store queue answers kBusy at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/delay_queue.hpp"
#include "core/lane_pool.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"
#include "usher_service/failure_delay.hpp"
#include "usher_service/publish_rules.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::usher_service {

struct PublishLimits {
  std::size_t hash_workers = 1;
  std::size_t hash_queue = 256;  // publishes waiting for a hash, all addresses
  std::size_t hash_queue_per_address = 8;
  std::size_t held_answers = 10000;  // refusals waiting out their delay; beyond, answered at once
  std::chrono::milliseconds max_fail_delay{4000};  // 0: refusals are answered at once
};

class PublishFlow {
 public:
  PublishFlow(StorePool& stores, PublishLimits limits);

  // On a store worker, for a kPublish or kRecheckPublish. Calls done exactly
  // once, from any thread. Throws only before it has called done.
  void start(Store& store, UsherRequest req, int64_t now, std::string server, DecisionDone done);

 private:
  struct Pending;
  void verify(const std::shared_ptr<Pending>& p);  // on the hash pool
  void finish(Store& store, const std::shared_ptr<Pending>& p);
  void answer(const std::shared_ptr<Pending>& p);
  static void fail(const std::shared_ptr<Pending>& p, const std::exception& e);

  StorePool& stores_;
  FailureDelay delays_;
  DelayQueue held_;
  LanePool hashes_;  // last: stopped first, while the rest still serve its jobs
};

}  // namespace sevu::usher_service

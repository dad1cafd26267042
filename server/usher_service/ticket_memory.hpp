// What a refused start read of its ticket, remembered for a moment: the same
// refusal can then be given again on the thread that asked, without a store
// read or a wait for the writer (docs/performance.md, "Refusals from memory").
// A viewer retrying a wrong pass, a revoked or used-up ticket, an unknown key:
// at a big event these come by the thousand a second, and each would otherwise
// queue behind the grants for the one writer.
//
// Only refusals are answered from it: a grant always goes to the store, which
// spends the use inside its transaction, and forgets what was read of its
// key (a spent use or a bound address changes which rule refuses first: a
// viewer at a wrong address is refused for `Exceeded max views` once the
// last use is gone). The memory is as fresh as the re-check facts of
// viewing_sessions.hpp: changes made through this process's APIs forget it
// at once (forget()), changes made elsewhere (an admin subcommand, another
// instance) reach it within the window. One read per key, the last one
// remembered, whichever app it was for. Thread-safe; bounded.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "usher_service/viewing_sessions.hpp"

namespace sevu::usher_service {

// What was read for one (key, app): the ticket and its account's facts, or
// nothing when no ticket has the key.
struct TicketRead {
  std::shared_ptr<const RecheckFacts> facts;  // null: the key matched no ticket
};

class TicketMemory {
 public:
  explicit TicketMemory(std::size_t max_entries = 10000,
                        std::chrono::milliseconds window = std::chrono::milliseconds(1000));

  // The read remembered for (key, app) when made within the window and not
  // forgotten since; null otherwise.
  std::unique_ptr<TicketRead> fresh(const std::string& key, const std::string& app) const;
  // Remembers a read, given the generation() taken before it began: a read
  // that crossed a forget() stays stale.
  void remember(const std::string& key, const std::string& app, TicketRead read,
                uint64_t generation);
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  // Everything remembered goes stale at once: tickets or accounts changed.
  void forget() { generation_.fetch_add(1, std::memory_order_relaxed); }
  // What was read of `key` goes: a grant changed its ticket. Called once the
  // grant has committed: a refusal read before it was remembered by then (its
  // batch, or an earlier one), one read after it sees the grant.
  void forget(const std::string& key);

 private:
  using Steady = std::chrono::steady_clock;
  struct Entry {
    std::string app;  // the read holds the app's owner: it answers for this app only
    TicketRead read;
    Steady::time_point read_at;
    uint64_t generation = 0;
  };

  const std::size_t max_;
  const std::chrono::milliseconds window_;
  std::atomic<uint64_t> generation_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sevu::usher_service

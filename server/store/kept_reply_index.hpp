// Where the SQLite store finds the reply it kept to a signed legacy write
// (docs/performance.md, "Kept replies found in memory"). A repeat is found by
// its account, its timestamp and its signature, and a signature is random by
// design: an index over them in the table put every new reply on a page no
// other reply of its batch shared, one page a request that the commit wrote
// to the log and the checkpoint copied back (26.8 of the 64.6 log frames a
// batch of `sevu.request`s wrote, the tickets' key index another 26.6). The
// table now keeps its rows in arrival order, and this index, shared by every
// connection of the process to one database file, maps the request's second
// and a hash of the three to the rows that may hold the reply; the store reads
// such a row and compares all three before it trusts it, so a collision or a
// stale entry costs a read and never a wrong answer.
//
// It holds what is committed. A write transaction keeps what it adds in its
// own Pending until COMMIT (a savepoint or a rollback takes it back), so no
// other connection finds a reply that may yet be undone. Bounded: past
// capacity it forgets its oldest second, and a request signed in a second it
// forgot is looked up in the table by second (write_replies_by_second) until
// the table holds no reply of those seconds. Requests are signed at about the
// present, so the lookups that miss memory are the repeats of old requests
// and the requests of clients whose clocks lag by more than the index holds
// (at 10,000 signed writes a second, 100 s).
//
// SQLite serves one server process (docs/operations.md, "Deployments"): a
// reply kept by another process writing the same file is not in this index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sevu {

class KeptReplyIndex {
 public:
  // At most about 50 bytes each (a hash table node of hash and row id, and its
  // bucket): at most ~50 MB of the process.
  static constexpr std::size_t kDefaultCapacity = 1'000'000;

  struct Entry {
    uint64_t hash = 0;
    int64_t rowid = 0;
    int64_t signed_at = 0;
  };

  // What one write transaction added, published at its COMMIT.
  class Pending {
   public:
    void add(const Entry& e) { added_.push_back(e); }
    std::size_t mark() const { return added_.size(); }
    void undo_to(std::size_t mark) {
      if (mark < added_.size()) added_.resize(mark);
    }
    void clear() { added_.clear(); }
    std::vector<int64_t> rows_of(uint64_t hash) const;
    std::vector<Entry> take() { return std::move(added_); }

   private:
    std::vector<Entry> added_;
  };

  // The index of the database file at `path`, shared while any store holds it;
  // a private one for an in-memory database (empty path). `capacity` applies
  // to an index made by this call (tests hold a small one before a store opens).
  static std::shared_ptr<KeptReplyIndex> of(const std::string& path,
                                            std::size_t capacity = kDefaultCapacity);

  explicit KeptReplyIndex(std::size_t capacity = kDefaultCapacity);

  uint64_t hash(int64_t cdn_id, int64_t signed_at, std::string_view signature) const;

  // Runs `load` once per index (the first store to open the file fills it
  // from the table), others wait for it.
  template <class Load>
  void load_once(Load load) {
    std::call_once(loaded_, [&] { load(*this); });
  }

  // The rows that may hold the reply to a request signed at signed_at.
  std::vector<int64_t> rows_of(int64_t signed_at, uint64_t hash) const;
  // False when a reply to a request signed at signed_at may be missing here.
  bool covers(int64_t signed_at) const;

  void add(const Entry& e);
  void add(const std::vector<Entry>& entries);
  // Every reply may be missing (the index could not take a transaction's).
  void forget_all();
  // Drops the seconds before `bound`, the oldest second whose replies the
  // table still holds: it holds none of theirs.
  void forget_before(int64_t bound);
  void clear();
  std::size_t size() const;

 private:
  struct Second {
    std::unordered_multimap<uint64_t, int64_t> rows;  // hash -> rowid
  };
  void add_locked(const Entry& e);
  void drop(std::map<int64_t, Second>::iterator second);
  // Drops a second whose replies a lookup must now seek in the table.
  void leave_out(std::map<int64_t, Second>::iterator second);

  const std::size_t capacity_;
  const uint64_t seed_;  // unknown to clients: no one picks signatures that share a bucket
  std::once_flag loaded_;
  mutable std::mutex mutex_;
  std::map<int64_t, Second> seconds_;  // by the requests' own timestamp
  std::size_t size_ = 0;
  // Replies to requests signed at or before left_out_through_ may be missing,
  // until the table holds none of those seconds.
  int64_t left_out_through_ = std::numeric_limits<int64_t>::min();
};

}  // namespace sevu

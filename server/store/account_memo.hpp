// The accounts an open write transaction has read, kept until it ends
// (docs/performance.md, "Accounts read once per batch"). A group commit runs
// a batch of starts in one transaction, and each start read its account and
// its app's owner (also an account) afresh: two B-tree seeks and a row of
// strings each, for rows that cannot change until the COMMIT. BEGIN IMMEDIATE
// holds SQLite's write lock from the start, so no other connection or process
// commits meanwhile; the transaction's own account writes forget the memo, as
// does a rolled-back savepoint (what it remembered may have been undone). The
// PostgreSQL store keeps one too, though there another instance may commit
// meanwhile: its pg_store.cpp says why that still decides each start on the
// account as it stood while the start waited.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/records.hpp"

namespace sevu {

class AccountMemo {
 public:
  // Enough for every account one batch touches in practice; a batch that
  // touches more reads the rest afresh, as before.
  static constexpr std::size_t kMaxKept = 16;

  // nullptr: not read in this transaction. Else what was read, a missing
  // account included.
  const std::optional<Account>* find(int64_t cdn_id) const { return find_in(by_id_, cdn_id); }
  const std::optional<Account>* find(const std::string& username) const {
    return find_in(by_username_, username);
  }

  void keep(int64_t cdn_id, const std::optional<Account>& read) { keep_in(by_id_, cdn_id, read); }
  void keep(const std::string& username, const std::optional<Account>& read) {
    keep_in(by_username_, username, read);
  }

  void forget() {
    by_id_.clear();
    by_username_.clear();
  }

 private:
  template <class Key>
  using Kept = std::vector<std::pair<Key, std::optional<Account>>>;

  template <class Key>
  static const std::optional<Account>* find_in(const Kept<Key>& kept, const Key& key) {
    for (const auto& [k, read] : kept)
      if (k == key) return &read;
    return nullptr;
  }

  template <class Key>
  static void keep_in(Kept<Key>& kept, const Key& key, const std::optional<Account>& read) {
    if (kept.size() < kMaxKept) kept.emplace_back(key, read);
  }

  Kept<int64_t> by_id_;
  Kept<std::string> by_username_;
};

}  // namespace sevu

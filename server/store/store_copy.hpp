// A whole store copied into another, ids, keys and times kept: migrate-store
// (SQLite into PostgreSQL) and a PostgreSQL store's backup (into a new SQLite
// file) are this one copy (docs/operations.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace sevu {

// Rows per table, in the order they are copied (and printed).
struct StoreCounts {
  static constexpr std::array<const char*, 6> kTables = {
      "accounts", "tickets", "attempts", "stream_users", "write_replies", "seeded"};
  std::array<int64_t, kTables.size()> n{};
  bool operator==(const StoreCounts& o) const { return n == o.n; }
  bool operator!=(const StoreCounts& o) const { return n != o.n; }
};

// Whether the store holds anything of a deployment (tickets and stream users
// need an account).
bool store_holds_data(Store& store);

struct StoreCopy {
  StoreCounts source, copied;
};

// Copies every account, ticket, attempt, stream user, kept write reply and
// seed mark of `from` into `to`, which must hold none, in one transaction on
// `to`, committed only once the counts on both sides agree (else StoreError,
// nothing written), and moves `to`'s id counters past `from`'s (a deleted
// ticket's id is never handed out again). Viewing sessions are not copied.
// `from` is only read: run it inside a snapshot for a copy of one moment.
StoreCopy copy_store(Store& from, Store& to);

// Creates dest, empty and owner-only (0600), for a backup to fill: StoreError
// when it exists (a backup never overwrites) or cannot be made.
void create_backup_file(const std::string& dest);

}  // namespace sevu

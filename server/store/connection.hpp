// An open SQLite connection configured the way the store needs it.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "store/store.hpp"
#include "store/wal_checkpointer.hpp"

namespace sevu::sqlite {

class Connection {
 public:
  // Opens the database at path (creating it 0600 when mode allows) with WAL
  // journaling, foreign keys on, synchronous=NORMAL and a 5 s busy timeout;
  // one that may write leaves its checkpoints to the database's
  // WalCheckpointer. Throws StoreError.
  Connection(const std::string& path, OpenMode mode);
  ~Connection();
  Connection(Connection&& other) noexcept
      : db_(other.db_), checkpointer_(std::move(other.checkpointer_)) {
    other.db_ = nullptr;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection& operator=(Connection&&) = delete;

  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::shared_ptr<WalCheckpointer> checkpointer_;  // outlives db_: released after the close
};

// Online backup of db's main database into a new file at dest (never
// overwrites: throws StoreError if dest exists).
void backup_database(sqlite3* db, const std::string& dest);

}  // namespace sevu::sqlite

// RAII wrappers over the SQLite C API for the store: a prepared statement that
// lives as long as its connection and is reused, and one execution of it that
// binds values, steps, and leaves the statement reset for the next use.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sevu::sqlite {

// Throws StoreError "<what>: <sqlite3_errmsg(db)>".
[[noreturn]] void throw_error(sqlite3* db, const std::string& what);

// Runs SQL text without parameters (pragmas, migrations); throws on error.
void exec(sqlite3* db, const std::string& sql, const std::string& what);

// Writes a connection holds back so as to make several in one statement (the
// store's attempt rows: docs/performance.md, "Attempt rows written several to
// a statement"). While it holds any, every statement of that connection has
// them written first, so that no read, savepoint or COMMIT runs without them.
class HeldWrites {
 public:
  // Writes what is held; throws StoreError, holding them still, if it cannot.
  virtual void write_held() = 0;

 protected:
  ~HeldWrites() = default;
};

// A connection as its statements are prepared on: the handle and, for a
// store that holds writes back, the slot naming the holder while it holds any
// (null otherwise). A plain handle converts: its statements hold nothing.
struct Database {
  Database(sqlite3* handle) : db(handle) {}  // NOLINT(google-explicit-constructor)
  Database(sqlite3* handle, HeldWrites** holder) : db(handle), holding(holder) {}
  sqlite3* db;
  HeldWrites** holding = nullptr;
};

class Statement {
 public:
  // Prepared once (SQLITE_PREPARE_PERSISTENT); throws StoreError on bad SQL.
  Statement(Database db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // One execution. Parameters are 1-based (?1, ?2, ...). The destructor
  // resets the statement and clears its bindings, whatever happened.
  class Run {
   public:
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    Run& bind(int index, int64_t value);
    // Text is bound without a copy (SQLITE_STATIC): it must outlive the Run,
    // which clears the bindings as it ends. A temporary would not, so binding
    // one does not compile.
    Run& bind(int index, const std::string& value);
    Run& bind(int index, std::string&& value) = delete;
    Run& bind(int index, std::optional<std::string>&& value) = delete;
    Run& bind(int index, const char* value);
    // nullopt binds NULL, which "(?N IS NULL OR col = ?N)" filters read as "any".
    Run& bind(int index, const std::optional<std::string>& value);
    Run& bind(int index, const std::optional<int64_t>& value);
    Run& bind(int index, const std::optional<bool>& value);

    // Steps once: true when a row is ready, false when done; throws on error.
    bool next();
    // Steps once expecting no rows; throws on error.
    void finish();
    // Steps once and hands back the raw (extended) result code, for callers
    // that turn a constraint violation into a return value. Use fail() for
    // any code they do not handle.
    int step();
    [[noreturn]] void fail() const;

    int64_t int64(int column) const;
    bool boolean(int column) const { return int64(column) != 0; }
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;

   private:
    friend class Statement;
    explicit Run(Statement& statement) : statement_(statement) {}
    void check_bind(int rc, int index) const;

    Statement& statement_;
  };

  // Starts an execution, once the connection's held writes are written;
  // throws if the previous one is still alive or those writes fail.
  Run run();

 private:
  sqlite3* db_;
  HeldWrites** holding_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;  // for error messages
  bool running_ = false;
};

}  // namespace sevu::sqlite

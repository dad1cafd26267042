// A small RAII layer over libpq for the PostgreSQL store: one connection, its
// statements prepared once (PQprepare) the first time each is used and run by
// name (PQexecPrepared) with every value bound, results read as text.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/store.hpp"

namespace sevu::pg {

// A failed statement, with its SQLSTATE ("23505" for a unique violation).
// Failures worth a retry are StoreUnavailable instead (transient()).
struct Error : StoreError {
  Error(const std::string& message, std::string state)
      : StoreError(message), sqlstate(std::move(state)) {}
  std::string sqlstate;
};

// True when PostgreSQL can hold text: valid UTF-8 without NUL bytes. A value
// that is not can match no stored row, and cannot be stored.
bool storable(const std::string& text);
bool storable(const std::optional<std::string>& text);

// One statement's SQL and the name it is prepared under on each connection.
struct Statement {
  std::string name;
  std::string sql;
};

// Bound values, sent in text form: a value goes to the server as it is, never
// spliced into SQL. nullopt binds NULL.
class Params {
 public:
  Params& add(int64_t value);
  Params& add(bool value) { return add(static_cast<int64_t>(value)); }
  Params& add(const std::string& value);  // throws StoreError when !storable(value)
  Params& add(const std::optional<std::string>& value);
  Params& add(const std::optional<int64_t>& value);
  Params& add(const std::optional<bool>& value);
  Params& add(const char*) = delete;  // would bind as a bool
  Params& add(const Params& more);    // more's values after these

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  ~Result() { PQclear(result_); }
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;

  int rows() const { return PQntuples(result_); }
  bool null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  int64_t int64(int row, int column) const;  // NULL reads as 0
  bool boolean(int row, int column) const { return int64(row, column) != 0; }
  int64_t affected() const;  // rows an INSERT/UPDATE/DELETE touched
  std::string command() const { return PQcmdStatus(result_); }
  PGresult* release() {  // the caller owns it now
    PGresult* r = result_;
    result_ = nullptr;
    return r;
  }

 private:
  PGresult* result_;
};

class Connection {
 public:
  // Connects to the libpq URI (connect_timeout, keepalives and a statement
  // timeout set unless the URI sets them); read_only makes every transaction
  // read-only. Throws StoreError naming the database without its password.
  Connection(const std::string& uri, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reconnects when the connection was lost (the database restarted), so the
  // next statement finds a working session; throws StoreError when it cannot.
  // Statements are prepared anew on the new session.
  void ensure_open();
  bool lost() const { return PQstatus(conn_) != CONNECTION_OK; }  // CONNECTION_BAD when dropped
  bool in_failed_transaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }
  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

  // Runs SQL without parameters (transaction control, migrations: several
  // statements may be in one text). Throws Error.
  Result exec(const std::string& sql, const std::string& what);
  // Runs a statement by its name, preparing it on first use. Throws Error.
  Result run(const Statement& statement, const Params& params = Params());

  // A statement and its values, to be sent with others.
  struct Queued {
    const Statement* statement;
    Params params;
  };
  // Runs `statements` in order in one round trip (libpq's pipeline mode) and
  // returns their results in the same order. Once one fails PostgreSQL skips
  // the rest; the first failure is thrown, as run() would have thrown it.
  std::vector<Result> run_each(const std::vector<Queued>& statements);

 private:
  Result checked(PGresult* result, const std::string& what);
  void prepare(const Statement& statement);
  std::vector<Result> pipeline(const std::vector<Queued>& statements);
  bool send(const Queued& queued);
  PGresult* next_result();
  void drop() noexcept;  // closes the session: its server-side transaction ends
  void connect();
  void configure();  // the session settings of a new connection

  std::string uri_;
  bool read_only_;
  PGconn* conn_ = nullptr;
  std::unordered_set<std::string> prepared_;  // statement names prepared on conn_
};

}  // namespace sevu::pg

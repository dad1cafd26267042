#include "store/pg_connection.hpp"

#include <cstdlib>

#include "core/utf8.hpp"

namespace sevu::pg {
namespace {

// Bounds that keep a dead or unreachable server from holding a store worker
// for long: how long a connect may take, how soon a silent peer is noticed
// (keepalives; unacknowledged writes), how long one statement may run (lock
// waits included), and how long a session may sit idle inside a transaction.
// Placed before the URI, so a URI that sets any of them wins.
const char* const kDefaultKeywords[] = {"connect_timeout",     "keepalives",
                                        "keepalives_idle",     "keepalives_interval",
                                        "keepalives_count",    "tcp_user_timeout",
                                        "application_name",    "options"};
const char* const kDefaultValues[] = {
    "5", "1", "10", "5", "3", "15000", "sevu-server",
    "-c statement_timeout=15s -c idle_in_transaction_session_timeout=60s"};

void ignore_notice(void*, const char*) {}  // "already exists, skipping" and the like

// SQLSTATE classes that say "not now" rather than "not this": connection
// exceptions (08), transaction rollback: serialization failure, deadlock (40),
// insufficient resources such as too many connections (53), operator
// intervention: shutdown, restart, statement timeout (57).
bool transient(const std::string& sqlstate) {
  for (const char* c : {"08", "40", "53", "57"})
    if (sqlstate.compare(0, 2, c) == 0) return true;
  return false;
}

std::string first_line(const char* text) {
  std::string s = text ? text : "";
  const auto end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

}  // namespace

// Every text parameter of every statement passes here: the shared check, which
// passes ASCII eight bytes at a time, rather than a decode per code point.
bool storable(const std::string& text) {
  return storable_text(text);
}

bool storable(const std::optional<std::string>& text) {
  return !text || storable(*text);
}

Params& Params::add(int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::add(const std::string& value) {
  if (!storable(value))
    throw StoreError("PostgreSQL cannot store text with a NUL byte or invalid UTF-8");
  values_.emplace_back(value);
  return *this;
}

Params& Params::add(const Params& more) {
  values_.insert(values_.end(), more.values_.begin(), more.values_.end());
  return *this;
}

Params& Params::add(const std::optional<std::string>& value) {
  if (value) return add(*value);
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add(const std::optional<int64_t>& value) {
  if (value) return add(*value);
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add(const std::optional<bool>& value) {
  if (value) return add(*value);
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (null(row, column)) return std::nullopt;
  return text(row, column);
}

int64_t Result::int64(int row, int column) const {
  if (null(row, column)) return 0;
  return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
}

int64_t Result::affected() const {
  return std::strtoll(PQcmdTuples(result_), nullptr, 10);
}

Connection::Connection(const std::string& uri, bool read_only)
    : uri_(uri), read_only_(read_only) {
  connect();
}

Connection::~Connection() {
  PQfinish(conn_);
}

void Connection::connect() {
  std::vector<const char*> keywords(std::begin(kDefaultKeywords), std::end(kDefaultKeywords));
  std::vector<const char*> values(std::begin(kDefaultValues), std::end(kDefaultValues));
  // The URI is expanded in place of dbname; the encoding after it always
  // applies, as storable() checks text against UTF-8.
  for (auto [k, v] : {std::pair{"dbname", uri_.c_str()}, std::pair{"client_encoding", "UTF8"}}) {
    keywords.push_back(k);
    values.push_back(v);
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (!conn_) throw StoreError("cannot connect to PostgreSQL: out of memory");
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names host and user, never the password.
    const std::string message = first_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreUnavailable("cannot connect to PostgreSQL " + db_display_name(uri_) + ": " +
                           message);
  }
  try {
    configure();
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

void Connection::configure() {
  if (read_only_) exec("SET default_transaction_read_only = on", "cannot make the session read-only");
}

void Connection::ensure_open() {
  if (!lost()) return;
  prepared_.clear();  // a new session knows none of them
  if (!conn_) return connect();  // dropped (drop())
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw StoreUnavailable("PostgreSQL " + db_display_name(uri_) +
                           " is unreachable: " + first_line(PQerrorMessage(conn_)));
  }
  configure();
}

Result Connection::checked(PGresult* raw, const std::string& what) {
  Result result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  // The primary message only: DETAIL lines quote row values (secrets, passes).
  const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = primary ? primary : first_line(PQerrorMessage(conn_));
  const std::string full =
      what + ": " + message + (state ? std::string(" (SQLSTATE ") + state + ")" : "");
  if (lost() || transient(state ? state : "")) throw StoreUnavailable(full);
  throw Error(full, state ? state : "");
}

Result Connection::exec(const std::string& sql, const std::string& what) {
  return checked(PQexec(conn_, sql.c_str()), what);
}

void Connection::prepare(const Statement& statement) {
  if (prepared_.count(statement.name) != 0) return;
  checked(PQprepare(conn_, statement.name.c_str(), statement.sql.c_str(), 0, nullptr),
          "cannot prepare " + statement.name);
  prepared_.insert(statement.name);
}

Result Connection::run(const Statement& statement, const Params& params) {
  prepare(statement);
  const auto values = params.pointers();
  return checked(PQexecPrepared(conn_, statement.name.c_str(), params.size(), values.data(),
                                nullptr, nullptr, /*resultFormat=*/0),
                 "PostgreSQL");
}

// One Sync after the statements: PostgreSQL answers each in turn, and once one
// fails it skips the rest up to the Sync (PGRES_PIPELINE_ABORTED), as a
// transaction in error would refuse them. Blocking mode cannot deadlock on a
// long pipeline: while libpq waits to send, it reads what the server answers.
std::vector<Result> Connection::run_each(const std::vector<Queued>& statements) {
  if (statements.size() == 1) {
    std::vector<Result> one;
    one.push_back(run(*statements[0].statement, statements[0].params));
    return one;
  }
  for (const Queued& q : statements) prepare(*q.statement);  // PQprepare is not allowed below
  if (PQenterPipelineMode(conn_) != 1)
    throw StoreUnavailable("PostgreSQL: " + first_line(PQerrorMessage(conn_)));
  try {
    return pipeline(statements);
  } catch (...) {
    // Left in pipeline mode (out of memory, unread results): no statement
    // can use the session, and its transaction must not stay open holding
    // its locks until the idle timeout. Dropped; ensure_open connects anew.
    if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) drop();
    throw;
  }
}

std::vector<Result> Connection::pipeline(const std::vector<Queued>& statements) {
  std::size_t sent = 0;
  while (sent < statements.size() && send(statements[sent])) ++sent;
  std::optional<Result> failure;
  std::vector<Result> results;
  results.reserve(statements.size());
  if (PQpipelineSync(conn_) == 1) {
    while (PGresult* raw = next_result()) {
      const auto status = PQresultStatus(raw);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(raw);
        break;
      }
      Result r(raw);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        if (!failure && status != PGRES_PIPELINE_ABORTED) failure.emplace(std::move(r));
      } else {
        results.push_back(std::move(r));
      }
    }
  }
  if (PQexitPipelineMode(conn_) != 1) {  // results left unread: the connection broke
    drop();
    throw StoreUnavailable("PostgreSQL " + db_display_name(uri_) +
                           ": statements sent together went unanswered");
  }
  if (failure) checked(failure->release(), "PostgreSQL");  // throws
  if (sent < statements.size() || results.size() != statements.size())
    throw StoreUnavailable(
        "PostgreSQL " + db_display_name(uri_) +
        ": statements sent together went unanswered: " + first_line(PQerrorMessage(conn_)));
  return results;
}

void Connection::drop() noexcept {
  PQfinish(conn_);
  conn_ = nullptr;  // lost(); ensure_open connects anew
}

bool Connection::send(const Queued& queued) {
  const auto values = queued.params.pointers();
  return PQsendQueryPrepared(conn_, queued.statement->name.c_str(), queued.params.size(),
                             values.data(), nullptr, nullptr, /*resultFormat=*/0) == 1;
}

// The next result of a pipeline, skipping the null that ends each statement's
// results; null once nothing more can come (a lost connection).
PGresult* Connection::next_result() {
  for (int nulls = 0; nulls < 2 && !lost(); ++nulls) {
    if (PGresult* raw = PQgetResult(conn_)) return raw;
  }
  return nullptr;
}

}  // namespace sevu::pg

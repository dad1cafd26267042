#include "store/statement.hpp"

#include "store/store.hpp"

namespace sevu::sqlite {

void throw_error(sqlite3* db, const std::string& what) {
  const char* message = db ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(what + ": " + message);
}

void exec(sqlite3* db, const std::string& sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw StoreError(what + ": " + text);
  }
}

Statement::Statement(Database db, const std::string& sql)
    : db_(db.db), holding_(db.holding), sql_(sql) {
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    throw_error(db_, "cannot prepare \"" + sql + "\"");
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Run Statement::run() {
  // Guards against re-entering a statement (e.g. from a row callback) whose
  // bindings and cursor are still in use.
  if (running_) throw StoreError("statement already running: " + sql_);
  // The holder clears its slot as it writes, so the statements it writes
  // with do not call it again.
  if (holding_ && *holding_) (*holding_)->write_held();
  running_ = true;
  return Run(*this);
}

Statement::Run::~Run() {
  sqlite3_reset(statement_.stmt_);
  sqlite3_clear_bindings(statement_.stmt_);
  statement_.running_ = false;
}

void Statement::Run::check_bind(int rc, int index) const {
  if (rc != SQLITE_OK) {
    throw_error(statement_.db_, "cannot bind parameter " + std::to_string(index) + " of \"" +
                                    statement_.sql_ + "\"");
  }
}

Statement::Run& Statement::Run::bind(int index, int64_t value) {
  check_bind(sqlite3_bind_int64(statement_.stmt_, index, value), index);
  return *this;
}

// SQLITE_STATIC, not a copy: the copy was a malloc, a memcpy and a free per
// text parameter, an eighth of an attempt row's insert (perf,
// docs/performance.md). The header says why the text outlives the binding.
Statement::Run& Statement::Run::bind(int index, const std::string& value) {
  // text64 takes any length; SQLite answers SQLITE_TOOBIG rather than truncating.
  check_bind(sqlite3_bind_text64(statement_.stmt_, index, value.data(), value.size(),
                                 SQLITE_STATIC, SQLITE_UTF8),
             index);
  return *this;
}

Statement::Run& Statement::Run::bind(int index, const char* value) {
  check_bind(sqlite3_bind_text(statement_.stmt_, index, value ? value : "", -1, SQLITE_STATIC),
             index);
  return *this;
}

Statement::Run& Statement::Run::bind(int index, const std::optional<std::string>& value) {
  if (value) return bind(index, *value);
  check_bind(sqlite3_bind_null(statement_.stmt_, index), index);
  return *this;
}

Statement::Run& Statement::Run::bind(int index, const std::optional<int64_t>& value) {
  if (value) return bind(index, *value);
  check_bind(sqlite3_bind_null(statement_.stmt_, index), index);
  return *this;
}

Statement::Run& Statement::Run::bind(int index, const std::optional<bool>& value) {
  if (value) return bind(index, static_cast<int64_t>(*value ? 1 : 0));
  check_bind(sqlite3_bind_null(statement_.stmt_, index), index);
  return *this;
}

int Statement::Run::step() {
  return sqlite3_step(statement_.stmt_);
}

void Statement::Run::fail() const {
  throw_error(statement_.db_, "\"" + statement_.sql_ + "\" failed");
}

bool Statement::Run::next() {
  const int rc = step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail();
}

void Statement::Run::finish() {
  const int rc = step();
  if (rc == SQLITE_DONE) return;
  if (rc == SQLITE_ROW) throw StoreError("unexpected row from \"" + statement_.sql_ + "\"");
  fail();
}

int64_t Statement::Run::int64(int column) const {
  return sqlite3_column_int64(statement_.stmt_, column);
}

std::string Statement::Run::text(int column) const {
  const auto* data = sqlite3_column_text(statement_.stmt_, column);
  const int size = sqlite3_column_bytes(statement_.stmt_, column);
  if (!data) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::Run::optional_text(int column) const {
  if (sqlite3_column_type(statement_.stmt_, column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}

}  // namespace sevu::sqlite

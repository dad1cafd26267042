// Plain sqlite3 calls for tests that look at a database file beside the store:
// a statement run for its effect, and one that answers a single number.
#pragma once

#include <sqlite3.h>

#include <stdexcept>
#include <string>

inline void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(sql + ": " + message);
  }
}

inline long long scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  const int rc = sqlite3_step(statement);
  const long long n = rc == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  if (rc != SQLITE_ROW) throw std::runtime_error(sql + ": no row");
  return n;
}

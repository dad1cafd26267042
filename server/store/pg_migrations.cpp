#include "store/pg_migrations.hpp"

#include <ctime>
#include <set>

namespace sevu {
namespace {

// The one-key advisory lock that serialises migrating: 'sevumigr' in ASCII.
constexpr const char* kMigrationLock = "8315182533728364402";

std::set<int64_t> applied_versions(pg::Connection& conn) {
  std::set<int64_t> applied;
  auto r = conn.exec("SELECT version FROM schema_migrations", "cannot read schema_migrations");
  for (int i = 0; i < r.rows(); ++i) applied.insert(r.int64(i, 0));
  return applied;
}

void apply_one(pg::Connection& conn, const Migration& m) {
  conn.exec("BEGIN", "cannot start migration " + m.name);
  try {
    conn.exec(m.sql, "migration " + m.name + " failed");
    const pg::Statement record{"sevu_migration_record",
                               "INSERT INTO schema_migrations (version, name, applied)"
                               " VALUES ($1, $2, $3)"};
    conn.run(record, pg::Params().add(m.version).add(m.name).add(
                         static_cast<int64_t>(std::time(nullptr))));
    conn.exec("COMMIT", "cannot commit migration " + m.name);
  } catch (...) {
    if (!conn.lost()) {
      try {
        conn.exec("ROLLBACK", "cannot roll back migration " + m.name);
      } catch (...) {  // the migration's own error is the one to report
      }
    }
    throw;
  }
}

}  // namespace

void apply_postgres_migrations(pg::Connection& conn, const std::vector<Migration>& migrations) {
  // A migration over a big table, and waiting for another instance to finish
  // one, may take longer than the statement bound of ordinary requests.
  conn.exec("SET statement_timeout = 0", "cannot lift the statement timeout for migrating");
  conn.exec(std::string("SELECT pg_advisory_lock(") + kMigrationLock + ")",
            "cannot lock for migrating");
  try {
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)",
        "cannot create schema_migrations");
    const auto applied = applied_versions(conn);
    check_schema_version(applied.empty() ? 0 : *applied.rbegin(), migrations,
                         /*allow_older=*/true);
    for (const auto& m : migrations) {
      if (applied.count(m.version) == 0) apply_one(conn, m);
    }
  } catch (...) {
    // Ending the session would release the lock too; the store drops it anyway.
    if (!conn.lost()) {
      try {
        conn.exec(std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")", "unlock");
      } catch (...) {
      }
    }
    throw;
  }
  conn.exec(std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")",
            "cannot unlock after migrating");
}

void check_postgres_migrations(pg::Connection& conn, const std::vector<Migration>& migrations,
                               bool allow_older) {
  int64_t version = 0;  // a database no migration ever touched
  auto exists = conn.exec("SELECT to_regclass('schema_migrations') IS NOT NULL",
                          "cannot read the schema version");
  if (exists.rows() && exists.text(0, 0) == "t") {
    auto r = conn.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                       "cannot read the schema version");
    version = r.int64(0, 0);
  }
  check_schema_version(version, migrations, allow_older);
}

}  // namespace sevu

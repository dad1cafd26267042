#include "store/migrations.hpp"

#include <ctime>
#include <set>

#include "core/text.hpp"
#include "store/statement.hpp"
#include "store/store.hpp"

namespace sevu {
namespace {

bool is_name_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '_';
}

// "0001_init.sql" -> 1; 0 when the name is not NNNN_description.sql.
int64_t version_of(const std::string& name) {
  const std::string suffix = ".sql";
  if (name.size() < 4 + 1 + 1 + suffix.size()) return 0;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (!is_digit(name[i])) return 0;
  }
  if (name[4] != '_') return 0;
  for (std::size_t i = 5; i < name.size() - suffix.size(); ++i) {
    if (!is_name_char(name[i])) return 0;
  }
  return std::stoll(name.substr(0, 4));
}

void rollback_quietly(sqlite3* db) {
  if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

int64_t newest_known(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

}  // namespace

std::vector<Migration> parse_migrations(const std::vector<SchemaFile>& files) {
  std::vector<Migration> migrations;
  for (const auto& file : files) {
    Migration m;
    m.name = file.name ? file.name : "";
    m.sql = file.sql ? file.sql : "";
    m.version = version_of(m.name);
    if (m.version <= 0) {
      throw StoreError("migration \"" + m.name + "\" is not named NNNN_description.sql (NNNN > 0)");
    }
    if (!migrations.empty() && m.version <= migrations.back().version) {
      throw StoreError("migration " + m.name + " does not come after " + migrations.back().name);
    }
    migrations.push_back(std::move(m));
  }
  return migrations;
}

const std::vector<Migration>& known_migrations() {
  static const std::vector<Migration> migrations = parse_migrations(embedded_schema_files());
  return migrations;
}

const std::vector<Migration>& known_postgres_migrations() {
  static const std::vector<Migration> migrations =
      parse_migrations(embedded_postgres_schema_files());
  return migrations;
}

void check_schema_version(int64_t version, const std::vector<Migration>& migrations,
                          bool allow_older) {
  if (version > newest_known(migrations)) {
    throw StoreError("database schema version " + std::to_string(version) +
                     " is newer than this sevu-server supports (" +
                     std::to_string(newest_known(migrations)) + "); upgrade sevu-server");
  }
  if (!allow_older && version < newest_known(migrations)) {
    throw StoreError("database schema version " + std::to_string(version) +
                     " is older than this sevu-server's (" +
                     std::to_string(newest_known(migrations)) +
                     "); run `sevu-server serve` on it once to migrate it");
  }
}

void apply_migrations(sqlite3* db, const std::vector<Migration>& migrations) {
  sqlite::exec(db,
               "CREATE TABLE IF NOT EXISTS schema_migrations ("
               "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)",
               "cannot create schema_migrations");

  std::set<int64_t> applied;
  {
    sqlite::Statement recorded(db, "SELECT version FROM schema_migrations");
    auto run = recorded.run();
    while (run.next()) applied.insert(run.int64(0));
  }
  check_schema_version(applied.empty() ? 0 : *applied.rbegin(), migrations, /*allow_older=*/true);

  sqlite::Statement is_applied(db, "SELECT 1 FROM schema_migrations WHERE version = ?1");
  sqlite::Statement record(
      db, "INSERT INTO schema_migrations (version, name, applied) VALUES (?1, ?2, ?3)");
  for (const auto& m : migrations) {
    if (applied.count(m.version)) continue;
    // IMMEDIATE takes the write lock first, so two processes opening a fresh
    // database apply each migration once: the second sees the first's record.
    sqlite::exec(db, "BEGIN IMMEDIATE", "cannot start migration " + m.name);
    try {
      bool already = false;
      {
        auto run = is_applied.run();
        run.bind(1, m.version);
        already = run.next();
      }
      if (!already) {
        sqlite::exec(db, m.sql, "migration " + m.name + " failed");
        auto run = record.run();
        run.bind(1, m.version).bind(2, m.name).bind(3, static_cast<int64_t>(std::time(nullptr)));
        run.finish();
      }
      sqlite::exec(db, "COMMIT", "cannot commit migration " + m.name);
    } catch (...) {
      rollback_quietly(db);
      throw;
    }
  }
}

void check_migrations(sqlite3* db, const std::vector<Migration>& migrations, bool allow_older) {
  int64_t version = 0;  // a database no migration ever touched
  sqlite::Statement has_table(
      db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (has_table.run().next()) {
    sqlite::Statement newest(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    auto run = newest.run();
    if (run.next()) version = run.int64(0);
  }
  check_schema_version(version, migrations, allow_older);
}

}  // namespace sevu

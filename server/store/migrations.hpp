// Schema migrations: schema/NNNN_description.sql files (SQLite) and
// schema/postgres/NNNN_description.sql (the same versions and names, PostgreSQL's
// dialect) compiled into the binary at build time (cmake/embed_schema.cmake),
// applied in order at open and recorded in schema_migrations.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sevu {

struct SchemaFile {
  const char* name;  // "0001_init.sql"
  const char* sql;
};

// Defined in the generated sources, sorted by file name.
const std::vector<SchemaFile>& embedded_schema_files();
const std::vector<SchemaFile>& embedded_postgres_schema_files();

struct Migration {
  int64_t version = 0;  // NNNN from the file name
  std::string name;     // the file name
  std::string sql;
};

// Checks names (NNNN_description.sql) and that versions strictly increase.
std::vector<Migration> parse_migrations(const std::vector<SchemaFile>& files);

// The embedded migrations, parsed once.
const std::vector<Migration>& known_migrations();
const std::vector<Migration>& known_postgres_migrations();

// Throws StoreError when a database at schema `version` cannot be used by
// this binary: newer than the newest in `migrations`, or older when
// allow_older is false.
void check_schema_version(int64_t version, const std::vector<Migration>& migrations,
                          bool allow_older);

// Applies every migration not yet recorded in schema_migrations, each in its
// own transaction with its record. Throws StoreError when the database
// records a version newer than the newest in `migrations`, or a migration fails.
void apply_migrations(sqlite3* db, const std::vector<Migration>& migrations);

// Reads the schema version only. Throws StoreError when it is newer than the
// newest in `migrations`, or older when allow_older is false.
void check_migrations(sqlite3* db, const std::vector<Migration>& migrations, bool allow_older);

}  // namespace sevu

// Applying schema/postgres/*.sql: recorded in schema_migrations like SQLite's,
// each in its own transaction with its record, and run once however many
// instances start at the same moment (a session advisory lock is held around
// the check-and-apply).
#pragma once

#include <vector>

#include "store/migrations.hpp"
#include "store/pg_connection.hpp"

namespace sevu {

// Applies every migration not yet recorded. Throws StoreError when the
// database records a version newer than the newest in `migrations`, or a
// migration fails (that one leaves no trace; later ones are not applied).
void apply_postgres_migrations(pg::Connection& conn, const std::vector<Migration>& migrations);

// Reads the schema version only (check_schema_version decides).
void check_postgres_migrations(pg::Connection& conn, const std::vector<Migration>& migrations,
                               bool allow_older);

}  // namespace sevu

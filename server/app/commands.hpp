// The subcommands of the sevu-server binary other than serve (which main.cpp
// runs, as only it links the http layer), and what they share.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace sevu {

constexpr const char* kDefaultDbPath = "data/sevu.db";

// A subcommand defined on the command line and what runs it once the whole
// command line parsed (CLI11's own callbacks would run before stray
// arguments are refused). run returns the exit code.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

// `account create|list|rotate-secret|disable|enable`.
std::vector<Command> add_account_commands(CLI::App& parent);
// `backup --db PATH DEST`.
Command add_backup_command(CLI::App& parent);
// `attempts --db PATH [--cdn N] [--key K] [--follow]`.
Command add_attempts_command(CLI::App& parent);
// `migrate-store --from PATH --to URI`.
Command add_migrate_store_command(CLI::App& parent);

// --db for cmd, bound to path: default kDefaultDbPath, also SEVU_DB.
void add_db_option(CLI::App& cmd, std::string& path, const std::string& meaning);

// Refuses (UsageError) a --db no command can use: empty, or SQLite's
// ":memory:", where each store connection would get its own empty database.
// A postgresql:// URI passes (the connection tells what is wrong with it).
void check_db_path(const std::string& path);

// Creates the documented demo account (docs/operations.md) unless cdn 158
// exists. Returns true if it was created.
bool ensure_demo_account(Store& store, int64_t now);

// Creates the v2 page's example ticket for the demo account the first time
// only: once made, it is never made again, even when deleted or changed.
// Returns true if it was created.
bool ensure_demo_ticket(Store& store, int64_t now);

// For `serve` only: opens the store at path, creating the database (0600) and
// its missing parent directories (0700) if needed; a postgresql:// URI is
// connected to and migrated.
std::unique_ptr<Store> open_or_create_store(const std::string& path);

// For `serve` only: runs open() until it returns without StoreUnavailable, for
// at most kStoreStartPatienceSeconds when db is a postgresql:// URI (an SQLite
// file gets one try). PostgreSQL may still be starting beside the server (a boot, a
// compose file), and libpq 15 measures connect_timeout on the wall clock, so a
// clock step (NTP at boot) can expire a connect early. Each failed try is
// printed; the last one's error is thrown (docs/operations.md, PostgreSQL store).
inline constexpr int kStoreStartPatienceSeconds = 30;
void retry_while_store_unreachable(const std::string& db, const std::function<void()>& open);

// For every other subcommand: a missing database is an error (a typo in --db
// must not make an empty one), and nothing is created.
std::unique_ptr<Store> open_existing_store(const std::string& path);

}  // namespace sevu

// Opening the database for a subcommand, and the --db option they share.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "app/cli_args.hpp"
#include "app/commands.hpp"

namespace sevu {

void add_db_option(CLI::App& cmd, std::string& path, const std::string& meaning) {
  path = kDefaultDbPath;
  with_env(cmd.add_option("--db", path,
                          meaning +
                              ": an SQLite file (relative to the working directory) or a "
                              "postgresql:// URI (docs/operations.md, PostgreSQL store)"),
           "db");
}

void check_db_path(const std::string& path) {
  if (is_postgres_uri(path)) return;
  if (path.empty()) throw UsageError("--db: the database path is empty");
  if (path == ":memory:")
    throw UsageError(
        "--db :memory: is not supported: each store connection would get its own empty "
        "database; give a file (a temporary directory will do)");
}

std::unique_ptr<Store> open_or_create_store(const std::string& path) {
  check_db_path(path);
  // A PostgreSQL database is made by its operator; serve only migrates it.
  if (is_postgres_uri(path)) return open_postgres_store(path, OpenMode::kCreate);
  // mkdir -p for the parent, owner-only like the database it will hold; real
  // errors surface when the database file is created.
  for (auto i = path.find('/', 1); i != std::string::npos; i = path.find('/', i + 1))
    ::mkdir(path.substr(0, i).c_str(), 0700);
  return open_sqlite_store(path, OpenMode::kCreate);
}

void retry_while_store_unreachable(const std::string& db, const std::function<void()>& open) {
  using Clock = std::chrono::steady_clock;
  const auto give_up = Clock::now() + std::chrono::seconds(kStoreStartPatienceSeconds);
  for (;;) {
    try {
      open();
      return;
    } catch (const StoreUnavailable& e) {
      if (!is_postgres_uri(db) || Clock::now() >= give_up) throw;
      // what() shows the URI without its password (db_display_name).
      std::cerr << "sevu-server: " << e.what() << "; trying again (serve waits up to "
                << kStoreStartPatienceSeconds << " s for the database)" << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

std::unique_ptr<Store> open_existing_store(const std::string& path) {
  check_db_path(path);
  return open_store(path, OpenMode::kMustExist);
}

}  // namespace sevu

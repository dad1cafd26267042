// The admin subcommands of the sevu-server binary (everything but serve).
#pragma once

#include <string>
#include <vector>

#include "store/store.hpp"

namespace sevu {

constexpr const char* kDefaultDbPath = "data/sevu.db";

// `sevu-server account create|list|rotate-secret|disable|enable ...`; returns the exit code.
int run_account_command(const std::vector<std::string>& args);
// `sevu-server backup --db PATH DEST`; returns the exit code.
int run_backup_command(const std::vector<std::string>& args);

// Creates the documented demo account (docs/operations.md) unless cdn 158
// exists. Returns true if it was created.
bool ensure_demo_account(Store& store, int64_t now);

// For `serve` only: opens the store at path, creating the database (0600) and
// its missing parent directories (0700) if needed.
std::unique_ptr<Store> open_or_create_store(const std::string& path);

// For every other subcommand: a missing database is an error (a typo in --db
// must not make an empty one), and nothing is created.
std::unique_ptr<Store> open_existing_store(const std::string& path);

}  // namespace sevu

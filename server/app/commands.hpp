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

// Creates the documented demo account (SPEC §1) unless cdn 158 exists.
// Returns true if it was created.
bool ensure_demo_account(Store& store, int64_t now);

// Opens the store at path, creating the parent directory if needed.
std::unique_ptr<Store> open_store_at(const std::string& path);

}  // namespace sevu

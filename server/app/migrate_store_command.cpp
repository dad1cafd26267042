// `sevu-server migrate-store --from PATH --to URI`: moves a SQLite deployment
// into an empty PostgreSQL database (docs/operations.md, moving to PostgreSQL).
// Every row keeps its ids, keys and times, the remembered write replies and
// seed marks included, so nothing a client was told happened is lost (and the
// ids of deleted tickets are not handed out again); the copy
// is one transaction on the destination, committed only once the counts per
// table agree on both sides.
#include <CLI/CLI.hpp>

#include <array>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "store/store_copy.hpp"

namespace sevu {

namespace {

constexpr int kNotEmpty = 3;  // the exit code of a refused destination

void print_counts(const StoreCounts& from, const StoreCounts& to) {
  std::cout << std::left << std::setw(14) << "table" << std::right << std::setw(12) << "source"
            << std::setw(12) << "copied"
            << "\n";
  for (size_t i = 0; i < StoreCounts::kTables.size(); ++i)
    std::cout << std::left << std::setw(14) << StoreCounts::kTables[i] << std::right
              << std::setw(12) << from.n[i] << std::setw(12) << to.n[i] << "\n";
}

struct MigrateOptions {
  std::string from, to;
};

int migrate(const MigrateOptions& o) {
  check_db_path(o.from);
  if (is_postgres_uri(o.from))
    throw UsageError("--from takes the SQLite database's path; the source cannot be PostgreSQL");
  // Read-only: the source is left exactly as it was, and an older schema is
  // refused (a `serve` of this version migrates it first).
  auto from = open_sqlite_store(o.from, OpenMode::kReadOnly);
  auto to = open_or_create_store(o.to);
  if (store_holds_data(*to)) {
    std::cerr << "sevu-server migrate-store: the destination already holds data; it copies into "
                 "an empty database only (nothing was changed)\n";
    return kNotEmpty;
  }
  const StoreCopy copy = copy_store(*from, *to);
  print_counts(copy.source, copy.copied);
  std::cout << "copied and verified: " << o.from << " -> " << db_display_name(o.to) << "\n";
  return 0;
}

}  // namespace

Command add_migrate_store_command(CLI::App& parent) {
  auto* cmd = parent.add_subcommand(
      "migrate-store",
      "copy a SQLite database into an empty PostgreSQL database, ids and times kept, and verify "
      "the counts (docs/operations.md); stop the server first");
  auto o = std::make_shared<MigrateOptions>();
  cmd->add_option("--from", o->from, "the SQLite database to copy; read only, never changed")
      ->required();
  cmd->add_option("--to", o->to,
                  "the destination: a postgresql:// URI of an empty database (its schema is "
                  "created); exit code 3 when it already holds data")
      ->required();
  return {cmd, [o] { return migrate(*o); }};
}

}  // namespace sevu

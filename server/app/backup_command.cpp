// `sevu-server backup --db PATH DEST`: an online copy while the server runs.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "app/commands.hpp"

namespace sevu {

Command add_backup_command(CLI::App& parent) {
  auto* cmd = parent.add_subcommand("backup", "write an online backup of the database to DEST");
  struct Options {
    std::string db, dest;
  };
  auto o = std::make_shared<Options>();
  add_db_option(*cmd, o->db, "database to back up");
  cmd->add_option("DEST", o->dest,
                  "the backup file to write, an SQLite database (of a PostgreSQL store too: one "
                  "snapshot of it); must not exist")
      ->required();
  return {cmd, [o] {
            open_existing_store(o->db)->backup_to(o->dest);
            std::cout << "backup written to " << o->dest << "\n";
            return 0;
          }};
}

}  // namespace sevu

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

namespace sevu {

namespace {

constexpr int64_t kPage = 5000;
constexpr int kNotEmpty = 3;  // the exit code of a refused destination

// Rows per table, in the order they are copied and printed.
struct Counts {
  static constexpr std::array<const char*, 6> kTables = {
      "accounts", "tickets", "attempts", "stream_users", "write_replies", "seeded"};
  std::array<int64_t, kTables.size()> n{};
  bool operator==(const Counts& o) const { return n == o.n; }
  bool operator!=(const Counts& o) const { return n != o.n; }
};

// Calls each(page) for an account's tickets, a page at a time, by id.
template <class Each>
void for_ticket_pages(Store& store, int64_t cdn_id, Each each) {
  TicketFilter f;
  f.limit = kPage;
  for (;; f.offset += kPage) {
    auto page = store.tickets(cdn_id, f);
    if (page.empty()) return;
    each(page);
  }
}

// Counted through the listings and counters the servers use, not by the copy's
// own reading: attempts by account (0: keys that matched no ticket).
Counts count_rows(Store& store) {
  Counts c;
  const auto accounts = store.accounts();
  c.n[0] = static_cast<int64_t>(accounts.size());
  c.n[2] = store.count_attempts(0, AttemptFilter{});
  for (const auto& a : accounts) {
    for_ticket_pages(store, a.cdn_id, [&](const auto& page) { c.n[1] += page.size(); });
    c.n[2] += store.count_attempts(a.cdn_id, AttemptFilter{});
    c.n[3] += store.count_stream_users(a.cdn_id);
  }
  c.n[4] = static_cast<int64_t>(store.write_replies().size());
  c.n[5] = static_cast<int64_t>(store.seed_marks().size());
  return c;
}

// Empty as far as a deployment goes: tickets and stream users need an account.
bool holds_data(Store& store) {
  return !store.accounts().empty() ||
         !store.attempts_after(0, std::nullopt, std::nullopt, 1).empty() ||
         !store.write_replies().empty() || !store.seed_marks().empty();
}

Counts copy_rows(Store& from, Store& to) {
  Counts c;
  const auto accounts = from.accounts();
  for (const auto& a : accounts) {
    if (!to.insert_account(a)) throw StoreError("account " + a.username + ": already there");
    ++c.n[0];
  }
  for (const auto& a : accounts) {
    for_ticket_pages(from, a.cdn_id, [&](const auto& page) {
      for (const auto& t : page) to.copy_in(t);
      c.n[1] += page.size();
    });
    for (const auto& u : from.stream_users(a.cdn_id, std::nullopt, std::nullopt)) {
      to.copy_in(u);
      ++c.n[3];
    }
  }
  for (int64_t after = 0;;) {
    const auto page = from.attempts_after(after, std::nullopt, std::nullopt, kPage);
    if (page.empty()) break;
    for (Attempt row : page) {
      // Viewing sessions are not copied (named ones have rows of their own,
      // left behind; ended ones too): a start's kept session stays behind with
      // them rather than coming back to life without its end.
      row.session_lapse = 0;
      to.copy_in(row);
    }
    c.n[2] += static_cast<int64_t>(page.size());
    after = page.back().id;
  }
  for (const auto& r : from.write_replies()) {
    to.insert_write_reply(r);
    ++c.n[4];
  }
  for (const auto& m : from.seed_marks()) {
    if (!to.mark_seeded(m.name, m.created))
      throw StoreError("seed mark " + m.name + ": already there");
    ++c.n[5];
  }
  return c;
}

void print_counts(const Counts& from, const Counts& to) {
  std::cout << std::left << std::setw(14) << "table" << std::right << std::setw(12) << "source"
            << std::setw(12) << "copied"
            << "\n";
  for (size_t i = 0; i < Counts::kTables.size(); ++i)
    std::cout << std::left << std::setw(14) << Counts::kTables[i] << std::right << std::setw(12)
              << from.n[i] << std::setw(12) << to.n[i] << "\n";
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
  if (holds_data(*to)) {
    std::cerr << "sevu-server migrate-store: the destination already holds data; it copies into "
                 "an empty database only (nothing was changed)\n";
    return kNotEmpty;
  }
  const Counts source = count_rows(*from);
  Counts copied, verified;
  to->transaction([&] {
    copied = copy_rows(*from, *to);
    to->hand_out_ids_after(from->ids_handed_out());
    verified = count_rows(*to);
    if (copied != source || verified != source)
      throw StoreError("the counts differ after the copy (rolled back, nothing was changed)");
  });
  print_counts(source, verified);
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

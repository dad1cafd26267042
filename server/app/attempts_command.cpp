// `sevu-server attempts`: the attempt log as JSON lines, every account's and
// those whose key matched no ticket (cdn_id 0), optionally followed like
// `tail -f`. It reads through its own read-only connection, by row id, so it
// never holds a lock the server waits for (WAL readers do not block writers).
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "app/commands.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"

namespace sevu {

namespace {

constexpr int64_t kBatch = 1000;

struct AttemptsOptions {
  std::string db;
  std::optional<int64_t> cdn_id;
  std::optional<std::string> key;
  bool follow = false;
  int64_t after_id = 0;
  unsigned interval_ms = 500;
};

// The pass a viewer sent is left out: this output ends up in terminals and
// logs, and the account's owner can read it through /v2/.../attempts.
void print_attempt(const Attempt& a) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("id");
  w.Int64(a.id);
  put(w, "datetime", format_datetime(a.datetime));
  w.Key("cdn_id");
  w.Int64(a.cdn_id);
  put(w, "key", a.key);
  put(w, "ip", a.ip);
  put(w, "app", a.app);
  put(w, "appinst", a.appinst);
  put(w, "video", a.video);
  put(w, "pageurl", a.pageurl);
  put(w, "refurl", a.refurl);
  w.Key("success");
  w.Bool(a.success);
  put(w, "reason", a.reason);
  put(w, "server", a.server);
  w.EndObject();
  std::cout << buf.GetString() << "\n";
}

// Prints every matching attempt after `after`; returns the last id printed.
int64_t print_after(Store& store, const AttemptsOptions& o, int64_t after) {
  for (;;) {
    auto batch = store.attempts_after(after, o.cdn_id, o.key, kBatch);
    for (const auto& a : batch) print_attempt(a);
    if (!batch.empty()) after = batch.back().id;
    std::cout.flush();  // a reader at the other end of a pipe sees each batch at once
    if (static_cast<int64_t>(batch.size()) < kBatch) return after;
  }
}

int run(const AttemptsOptions& o) {
  check_db_path(o.db);
  auto store = open_store(o.db, OpenMode::kReadOnly);
  int64_t last = print_after(*store, o, o.after_id);
  while (o.follow) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
    last = print_after(*store, o, last);
  }
  return 0;
}

}  // namespace

Command add_attempts_command(CLI::App& parent) {
  auto* cmd = parent.add_subcommand(
      "attempts",
      "print playback attempts, oldest first, one JSON object a line (the viewer's pass left out); "
      "also those whose key matched no ticket (cdn_id 0)");
  auto o = std::make_shared<AttemptsOptions>();
  add_db_option(*cmd, o->db, "database, opened read-only");
  cmd->add_option(
      "--cdn", o->cdn_id,
      "only this account's attempts; 0: keys that matched no ticket [default: every account]");
  cmd->add_option("--key", o->key, "only attempts with this ticket key [default: every key]");
  cmd->add_flag("--follow,-f", o->follow,
                "keep printing new attempts as they are logged (Ctrl-C stops) [default: off]");
  cmd->add_option("--after-id", o->after_id,
                  "only attempts with a larger id (each line has its id)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--interval", o->interval_ms, "with --follow: milliseconds between looks")
      ->check(CLI::Range(10u, 60000u));
  return {cmd, [o] { return run(*o); }};
}

}  // namespace sevu

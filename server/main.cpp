// sevu-server: serve, account, backup, attempts, migrate-store, --version.
#include <malloc.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>

#include "app/app.hpp"
#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "app/serve_options.hpp"
#include "http/server.hpp"

namespace {

// Listens on e or stops the server naming the option and address: a media
// server pointed at a port must never find something else there.
uint16_t listen_on(sevu::HttpServer& server, const sevu::Endpoint& e, sevu::Handler handler,
                   sevu::ListenOptions options) {
  try {
    return server.listen(e.host, e.port, std::move(handler), options);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(e.text() + ": " + error.what());
  }
}

// glibc gives a thread arena's free top back to the kernel (madvise) once it
// passes the trim threshold, 128 KiB by default: every request that freed a
// parsed JSON document's 64 KiB chunks did so, and each madvise flushes the TLB
// of every core. perf put that at 4-5% of the server's time under load
// (docs/performance.md, "Memory allocator"). A fixed threshold keeps freed
// memory for the next request; peak RSS stays the measure (bench/run prints it).
void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int serve(const sevu::ServeOptions& o) {
  using namespace sevu;
  keep_freed_memory();
  HttpLimits limits;
  limits.max_body = o.max_body;
  limits.header_timeout = std::chrono::seconds(o.header_timeout);
  limits.idle_timeout = std::chrono::seconds(o.idle_timeout);
  // Each listener has its own budget, and the hooks their own io thread(s), so
  // no flood on the public API reaches the media servers' calls.
  ListenOptions api_options;
  api_options.max_connections = o.max_connections;
  api_options.max_per_client = o.max_connections_per_ip;
  api_options.tls_cert = o.tls_cert;
  api_options.tls_key = o.tls_key;
  ListenOptions hook_options;
  hook_options.max_connections = o.hook_max_connections;
  hook_options.threads = o.hook_threads;

  // Migrate, seed and open the pool's connections on this thread before
  // anything listens; a database not reachable yet is waited for.
  const std::string db = o.db;
  std::optional<StorePool> opened;
  retry_while_store_unreachable(db, [&] {
    auto store = open_or_create_store(db);
    const auto now = static_cast<int64_t>(std::time(nullptr));
    if (o.demo && ensure_demo_account(*store, now))
      std::cout << "sevu-server: created demo account (cdn 158)" << std::endl;
    if (o.demo && ensure_demo_ticket(*store, now))
      std::cout << "sevu-server: created the demo example ticket" << std::endl;
    opened.emplace([db] { return open_store(db); }, o.store_workers, o.max_queue);
  });
  StorePool& pool = *opened;
  Clock clock;
  // Before the app, which sends its kicks through the server's client
  // (core/http_client.hpp); they go out while the server runs.
  HttpServer server(o.threads, limits);
  App app(app_config(o), pool, clock, &server.client());

  auto api = listen_on(server, o.api, app.api_handler(), api_options);
  auto hooks = listen_on(server, o.hooks, app.hook_handler(), hook_options);
  const std::string api_url =
      (o.tls_cert.empty() ? "http://" : "https://") + o.api.host + ":" + std::to_string(api);
  std::cout << "sevu-server: api listening on " << api_url << "\n"
            << "sevu-server: web console at " << api_url << "/console/\n"
            << "sevu-server: hooks listening on http://" << o.hooks.host << ":" << hooks << "\n"
            << "sevu-server: database " << db_display_name(o.db) << std::endl;
  server.on_hangup([&app, &server] {
    app.reopen_logs();
    server.reload_tls();
  });
  server.run();
  app.write_waiting();  // refusals' rows still waiting for company join the drain
  pool.stop();  // every acknowledged request has been answered; drain and close the DB
  std::cout << "sevu-server: stopped" << std::endl;
  return 0;
}

// A log file serve could open for appending, without creating it: the file
// writable, or its directory writable when it does not exist yet.
void check_log_path(const char* option, const std::string& path) {
  if (path.empty() || path == "-") return;
  if (::access(path.c_str(), F_OK) == 0) {
    if (::access(path.c_str(), W_OK) == 0) return;
  } else {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    if (::access(dir.c_str(), W_OK | X_OK) == 0) return;
  }
  throw std::runtime_error(std::string(option) + ": cannot open log file " + path + " (" +
                           std::strerror(errno) + ")");
}

// `serve --check-config`: everything serve checks before it binds, and nothing
// created. Whether a port is free is not checked: the running server being
// reconfigured holds it.
int check_config(const sevu::ServeOptions& o) {
  sevu::check_serve_database(o);
  if (o.api.host == o.hooks.host && o.api.port == o.hooks.port && o.api.port != 0)
    throw sevu::UsageError("--listen and --hook-listen: both are " + o.api.host + ":" +
                           std::to_string(o.api.port));
  sevu::ListenOptions tls;
  tls.tls_cert = o.tls_cert;
  tls.tls_key = o.tls_key;
  sevu::check_tls_files(tls);
  check_log_path("--access-log", o.access_log);
  check_log_path("--decision-log", o.decision_log);
  std::cout << "sevu-server: configuration ok (" << o.api.text() << ", " << o.hooks.text()
            << ", --db " << sevu::db_display_name(o.db) << ")\n";
  return 0;
}

int run(int argc, char** argv) {
  CLI::App cli{"sevu-server: a ScaleEngine Virtual Usher compatible ticket server", "sevu-server"};
  // The last of a repeated option wins, as before CLI11: scripts/run passes its
  // own --listen and then the caller's.
  cli.option_defaults()->always_capture_default()->multi_option_policy(
      CLI::MultiOptionPolicy::TakeLast);
  cli.set_version_flag("--version", "sevu-server " SEVU_VERSION, "print the version and exit");
  auto* serve_cmd = cli.add_subcommand("serve", "run the server (see docs/operations.md)");
  sevu::ServeOptions serve_options;
  sevu::add_serve_options(*serve_cmd, serve_options);
  std::vector<sevu::Command> commands = sevu::add_account_commands(cli);
  commands.push_back(sevu::add_backup_command(cli));
  commands.push_back(sevu::add_attempts_command(cli));
  commands.push_back(sevu::add_migrate_store_command(cli));
  // The old spellings `sevu-server help` and `sevu-server version`, kept unlisted.
  auto* help_cmd = cli.add_subcommand("help")->group("");
  auto* version_cmd = cli.add_subcommand("version")->group("");

  if (auto done = sevu::parse_command_line(cli, argc, argv)) return *done;
  if (version_cmd->parsed()) {
    std::cout << "sevu-server " SEVU_VERSION "\n";
    return 0;
  }
  if (serve_cmd->parsed()) {
    sevu::finish_serve_options(*serve_cmd, serve_options);
    return serve_options.check_config ? check_config(serve_options) : serve(serve_options);
  }
  for (const auto& c : commands)
    if (c.app->parsed()) return c.run();
  if (help_cmd->parsed()) {
    std::cout << cli.help();
    return 0;
  }
  // `account` alone (its subcommand is not required by CLI11, so that a
  // misspelt one is named as an unexpected argument instead).
  for (auto* group : cli.get_subcommands())
    if (group->parsed()) {
      std::cerr << "sevu-server " << group->get_name() << ": give a subcommand\n" << group->help();
      return 2;
    }
  std::cout << cli.help();
  return 2;  // no command at all is a usage error
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const sevu::UsageError& e) {
    std::cerr << "sevu-server: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sevu-server: " << e.what() << "\n";
    return 1;
  }
}

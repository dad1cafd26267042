// sevu-server: serve, account, backup, --version.
#include <algorithm>
#include <ctime>
#include <iostream>
#include <thread>

#include "app/app.hpp"
#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "http/server.hpp"

namespace {

const char* kUsage =
    "usage: sevu-server serve [--listen HOST:PORT] [--hook-listen HOST:PORT] [--db PATH] [--demo]\n"
    "                         [--hook-token TOKEN | --hook-token-file PATH]\n"
    "                         [--test-controls] [--threads N]\n"
    "                         [--store-workers N] [--max-queue N] [--max-body BYTES]\n"
    "                         [--max-connections N] [--max-connections-per-ip N]\n"
    "                         [--hook-max-connections N] [--hook-threads N]\n"
    "                         [--header-timeout S] [--idle-timeout S]\n"
    "                         [--timestamp-window S] [--server-name NAME] [--origin-host HOST]\n"
    "                         [--playback-url TEMPLATE] [--session-idle S] [--hash-workers N]\n"
    "                         [--publish-fail-delay MS]\n"
    "       sevu-server account create|list|rotate-secret|disable|enable ... (--help)\n"
    "       sevu-server backup --db PATH DEST\n"
    "       sevu-server --version\n";

int serve(const std::vector<std::string>& args) {
  using namespace sevu;
  CliArgs opt(args,
              {"listen", "hook-listen", "db", "hook-token", "threads", "store-workers", "max-queue",
               "max-body", "max-connections", "max-connections-per-ip", "hook-max-connections",
               "hook-threads", "header-timeout", "idle-timeout", "timestamp-window",
               "server-name", "origin-host", "playback-url", "session-idle", "hook-token-file",
               "hash-workers", "publish-fail-delay"},
              {"demo", "test-controls"});
  auto [api_host, api_port] = split_host_port(opt.get_or("listen", "127.0.0.1:8080"));
  // Hooks default to loopback on the port after the API's (8080 -> 8081), so
  // several servers started with only --listen do not fight over one port.
  bool hook_default = !opt.get("hook-listen");
  auto [hook_host, hook_port] =
      hook_default ? std::pair<std::string, unsigned short>(
                         "127.0.0.1", api_port == 0 || api_port == 65535 ? 0 : api_port + 1)
                   : split_host_port(*opt.get("hook-listen"));
  std::string db = opt.get_or("db", kDefaultDbPath);

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  HttpLimits limits;
  limits.max_body = opt.get_int("max-body", 1 << 20, 1024, 64 << 20);
  limits.header_timeout = std::chrono::seconds(opt.get_int("header-timeout", 10, 1, 3600));
  limits.idle_timeout = std::chrono::seconds(opt.get_int("idle-timeout", 60, 1, 3600));
  // Each listener has its own budget, and the hooks their own io thread(s), so
  // no flood on the public API reaches the media servers' calls.
  ListenOptions api_options;
  api_options.max_connections = opt.get_int("max-connections", 10000, 1, 1000000);
  api_options.max_per_client = opt.get_int("max-connections-per-ip", 64, 0, 1000000);
  ListenOptions hook_options;
  hook_options.max_connections = opt.get_int("hook-max-connections", 1000, 1, 1000000);
  hook_options.threads = opt.get_int("hook-threads", 1, 1, 64);

  AppConfig config;
  config.legacy.timestamp_window = opt.get_int("timestamp-window", 300, 1, 86400);
  config.legacy.origin_host = opt.get_or("origin-host", "127.0.0.1");
  config.legacy.playback_url_template = opt.get_or("playback-url", "");
  config.test_controls = opt.flag("test-controls");
  // Also from a file or SEVU_HOOK_TOKEN, so it need not show in ps.
  config.hook_token = secret_option(opt, "hook-token").value_or("");
  config.server_name = opt.get_or("server-name", "sevu");
  config.session_idle = opt.get_int("session-idle", 60, 1, 86400);
  config.hash_workers = opt.get_int("hash-workers", 1, 1, 16);
  config.publish_fail_delay_ms = opt.get_int("publish-fail-delay", 4000, 0, 60000);

  // Migrate and seed on this thread before anything listens.
  {
    auto store = open_or_create_store(db);
    if (opt.flag("demo") && ensure_demo_account(*store, static_cast<int64_t>(std::time(nullptr))))
      std::cout << "sevu-server: created demo account (cdn 158)" << std::endl;
  }
  Clock clock;
  StorePool pool([&db] { return open_sqlite_store(db); }, opt.get_int("store-workers", 2, 1, 64),
                 opt.get_int("max-queue", 4096, 1, 1 << 20));
  App app(config, pool, clock);

  HttpServer server(opt.get_int("threads", cores, 1, 256), limits);
  auto api = server.listen(api_host, api_port, app.api_handler(), api_options);
  uint16_t hooks = 0;
  try {
    hooks = server.listen(hook_host, hook_port, app.hook_handler(), hook_options);
  } catch (const std::runtime_error& e) {
    if (!hook_default) throw;
    std::cerr << "sevu-server: " << e.what() << "; hooks take a free port instead" << std::endl;
    hooks = server.listen(hook_host, 0, app.hook_handler(), hook_options);
  }
  std::cout << "sevu-server: api listening on http://" << api_host << ":" << api << "\n"
            << "sevu-server: hooks listening on http://" << hook_host << ":" << hooks << "\n"
            << "sevu-server: database " << db << std::endl;
  server.run();
  pool.stop();  // every acknowledged request has been answered; drain and close the DB
  std::cout << "sevu-server: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  try {
    std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--version" || cmd == "version") {
      std::cout << "sevu-server " << SEVU_VERSION << "\n";
      return 0;
    }
    if (cmd == "serve") return serve(rest);
    if (cmd == "account") return sevu::run_account_command(rest);
    if (cmd == "backup") return sevu::run_backup_command(rest);
    std::cerr << "sevu-server: unknown command '" << cmd << "'\n" << kUsage;
    return 2;
  } catch (const sevu::UsageError& e) {
    std::cerr << "sevu-server: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sevu-server: " << e.what() << "\n";
    return 1;
  }
}

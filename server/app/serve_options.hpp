// The options of `sevu-server serve`: defined once here (meaning, default,
// range, SEVU_<NAME> variable, config-file key), read from the command line,
// the environment and `--config FILE`, and checked before anything starts.
// docs/operations.md lists them; `serve --help` prints them.
#pragma once

#include <cstdint>
#include <string>

#include "app/app.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace sevu {

// One listener's address, with the option it came from for error messages.
struct Endpoint {
  std::string option;  // "--listen"
  std::string host;
  uint16_t port = 0;
  std::string note;          // " (the default: ...)" when the option was not given
  std::string text() const;  // "--listen 127.0.0.1:8080"
};

struct ServeOptions {
  // As given (flag, environment, file or default).
  std::string listen = "127.0.0.1:8080";
  std::string hook_listen;  // empty: loopback, the API port + 1
  std::string db;
  bool demo = false;
  bool test_controls = false;
  std::string config_file;
  bool check_config = false;
  unsigned threads = 1;  // set to the core count by add_serve_options
  unsigned store_workers = 2;
  unsigned max_queue = 4096;
  unsigned max_body = 1 << 20;
  unsigned max_connections = 10000;
  unsigned max_connections_per_ip = 64;
  unsigned hook_max_connections = 1000;
  unsigned hook_threads = 1;
  unsigned header_timeout = 10;
  unsigned idle_timeout = 60;
  unsigned timestamp_window = 300;
  std::string server_name = "sevu";
  std::string origin_host = "127.0.0.1";
  std::string playback_url;
  unsigned session_idle = 60;
  unsigned session_ttl = 300;
  unsigned hash_workers = 1;
  unsigned publish_fail_delay = 4000;
  unsigned console_session_ttl = 28800;  // 8 hours
  std::string tls_cert, tls_key;  // both: HTTPS on the public listener
  std::string access_log;    // empty: none; "-": stdout
  std::string decision_log;  // empty: none; "-": stdout
  std::string srs_api, mediamtx_api;  // empty: none (app/session_kicker.hpp)
  std::string ome_real_ip_from;       // empty: every peer; "none"; else an ip list

  // Worked out by finish_serve_options.
  Endpoint api, hooks;
  std::string hook_token;  // empty: none
  std::string ome_secret;  // empty: none (/hooks/ome refuses every call)
  std::string console_admin_token;  // empty: no operator login to the console
  KickerConfig kicks;      // from srs_api, mediamtx_api
};

// Defines every serve option on cmd, bound to o.
void add_serve_options(CLI::App& cmd, ServeOptions& o);

// After parsing: applies --config, reads the hook token, parses and checks
// both addresses and the database path. Throws UsageError naming the option.
void finish_serve_options(CLI::App& cmd, ServeOptions& o);

// --check-config beyond finish_serve_options: what serve would meet in the
// database, without creating or changing anything. Throws on a problem.
void check_serve_database(const ServeOptions& o);

AppConfig app_config(const ServeOptions& o);

}  // namespace sevu

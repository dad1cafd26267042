#include "app/serve_options.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "hooks/ome.hpp"

namespace sevu {

std::string Endpoint::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return option + " " + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + note;
}

namespace {

// Adds --name bound to value, with its range, SEVU_<NAME> and config key.
template <class T>
void number(CLI::App& cmd, const std::string& name, T& value, T min, T max,
            const std::string& meaning) {
  with_env(cmd.add_option("--" + name, value, meaning)->check(CLI::Range(min, max)), name);
}

void text(CLI::App& cmd, const std::string& name, std::string& value, const std::string& meaning) {
  with_env(cmd.add_option("--" + name, value, meaning), name);
}

// Off unless given: CLI11 prints no default for a flag, and every option's
// --help names its default (docs/operations.md).
void flag(CLI::App& cmd, const std::string& name, bool& value, const std::string& meaning) {
  with_env(cmd.add_flag("--" + name, value, meaning + " [default: off]"), name);
}

void add_listener_options(CLI::App& cmd, ServeOptions& o) {
  text(cmd, "listen", o.listen,
       "public API address (/stable/, /v2/), HOST:PORT; port 0 picks a free one");
  text(cmd, "hook-listen", o.hook_listen,
       "hook listener address (/hooks/*, /healthz, /readyz, /metrics), HOST:PORT "
       "[default: 127.0.0.1 and the --listen port + 1]");
  number(cmd, "threads", o.threads, 1u, 256u,
         "io threads of the public API listener (the hook listener has --hook-threads) "
         "[default: cores]");
  number(cmd, "hook-threads", o.hook_threads, 1u, 64u, "io threads of the hook listener alone");
  number(cmd, "max-connections", o.max_connections, 1u, 1000000u, "public API connections at once");
  number(cmd, "max-connections-per-ip", o.max_connections_per_ip, 0u, 1000000u,
         "public API connections from one client address (IPv6: one /64); 0: no limit");
  number(cmd, "hook-max-connections", o.hook_max_connections, 1u, 1000000u,
         "hook listener connections at once");
  number(cmd, "max-body", o.max_body, 1024u, 64u << 20, "largest request body, bytes (else 413)");
  number(cmd, "header-timeout", o.header_timeout, 1u, 3600u,
         "seconds a new connection has to send its request header");
  number(cmd, "idle-timeout", o.idle_timeout, 1u, 3600u,
         "seconds a keep-alive connection may wait for its next request");
}

void add_service_options(CLI::App& cmd, ServeOptions& o) {
  flag(cmd, "demo", o.demo,
       "create the docs' demo account (cdn 158) and the v2 page's example ticket if never made");
  // Unbound and without a CLI11 envname: secret_option reads the two as one
  // setting, layer by layer.
  cmd.add_option("--hook-token")
      ->description(
          "(Env:SEVU_HOOK_TOKEN) token every /hooks/* and /test/* call must carry (prefer "
          "--hook-token-file or the environment: a flag shows in ps) [default: none]");
  cmd.add_option("--hook-token-file")
      ->description(
          "(Env:SEVU_HOOK_TOKEN_FILE) read the hook token from this file (one trailing newline "
          "is dropped) [default: none]");
  cmd.add_option("--ome-secret")
      ->description(
          "(Env:SEVU_OME_SECRET) OvenMediaEngine's AdmissionWebhooks SecretKey: /hooks/ome checks "
          "each call's X-OME-Signature with it and, without it, refuses every call (prefer "
          "--ome-secret-file or the environment) [default: none]");
  cmd.add_option("--ome-secret-file")
      ->description(
          "(Env:SEVU_OME_SECRET_FILE) read the OvenMediaEngine secret from this file (one "
          "trailing newline is dropped) [default: none]");
  cmd.add_option("--console-admin-token")
      ->description(
          "(Env:SEVU_CONSOLE_ADMIN_TOKEN) the operator's login to the web console (/console/; "
          "sees every account; docs/console.md); prefer --console-admin-token-file or the "
          "environment [default: none, no operator login]");
  cmd.add_option("--console-admin-token-file")
      ->description(
          "(Env:SEVU_CONSOLE_ADMIN_TOKEN_FILE) read the console's operator token from this file "
          "(one trailing newline is dropped) [default: none]");
  number(cmd, "console-session-ttl", o.console_session_ttl, 60u, 31u * 86400u,
         "seconds a web console login lasts");
  flag(cmd, "test-controls", o.test_controls,
       "serve POST /test/clock, /test/reset, /test/fixtures on the hook listener "
       "(docs/staging.md; tests only, never in production)");
  number(cmd, "store-workers", o.store_workers, 1u, 64u,
         "store threads, each with its own connection (the hooks have one more of their own)");
  number(cmd, "max-queue", o.max_queue, 1u, 1u << 20,
         "store jobs allowed to wait, for the API and for the hooks each");
  number(cmd, "hash-workers", o.hash_workers, 1u, 16u, "threads verifying publish passwords");
  number(cmd, "publish-fail-delay", o.publish_fail_delay, 0u, 60000u,
         "longest hold of a refused publish's answer, milliseconds");
  number(cmd, "session-idle", o.session_idle, 1u, 86400u,
         "HTTP streaming: seconds a viewing session lives without requests");
  number(cmd, "session-ttl", o.session_ttl, 1u, 86400u,
         "other sessions (RTMP, SRT, WebRTC...): seconds one lives without a re-check or close "
         "event; set above your media server's re-check interval (docs/sessions.md)");
  number(cmd, "timestamp-window", o.timestamp_window, 1u, 86400u,
         "legacy API: allowed distance of a request's timestamp from the clock, seconds");
  text(cmd, "server-name", o.server_name, "logged as the server of each attempt");
  text(cmd, "origin-host", o.origin_host, "stream users: origin_url is rtmp://<origin-host>/<app>");
  text(cmd, "playback-url", o.playback_url,
       "stream users: playback_url template (docs/legacy-api.md) [default: the built-in one]");
  text(cmd, "tls-cert", o.tls_cert,
       "PEM certificate chain: the public listener speaks HTTPS (with --tls-key; both are read "
       "again on SIGHUP) [default: none, plain HTTP]");
  text(cmd, "tls-key", o.tls_key, "PEM private key of --tls-cert [default: none]");
  text(cmd, "access-log", o.access_log,
       "write one JSON line per answered request to this file (- for stdout; reopened on "
       "SIGHUP) [default: none]");
  text(cmd, "decision-log", o.decision_log,
       "write one JSON line per usher decision to this file (- for stdout; reopened on SIGHUP) "
       "[default: none]");
  text(cmd, "srs-api", o.srs_api,
       "SRS's HTTP API, http://[user:password@]HOST:PORT: an ended SRS session's client is "
       "dropped at once (DELETE /api/v1/clients/{id}; docs/hooks.md) [default: none]");
  text(cmd, "ome-real-ip-from", o.ome_real_ip_from,
       "OvenMediaEngine: the peers (as OME sees them) whose client.real_ip is taken as the "
       "viewer's address, an ip list like a ticket's (10.0.0.0/8|192.0.2.7), or none; OME "
       "copies real_ip from any client's X-Real-IP, so name the proxies in front of OME "
       "(docs/hooks.md) [default: every peer]");
  text(cmd, "mediamtx-api", o.mediamtx_api,
       "MediaMTX's API, http://[user:password@]HOST:PORT: an ended MediaMTX session's "
       "connection is kicked at once (docs/hooks.md; credentials: prefer the environment or "
       "the config file, a flag shows in ps) [default: none]");
}

// HttpServer takes IP literals (and "localhost"); say so before anything starts.
Endpoint endpoint(const std::string& option, const std::string& text) {
  Endpoint e;
  e.option = option;
  try {
    std::tie(e.host, e.port) = split_host_port(text);
  } catch (const UsageError& error) {
    throw UsageError(option + ": " + error.what());
  }
  unsigned char addr[16];
  if (e.host != "localhost" && inet_pton(AF_INET, e.host.c_str(), addr) != 1 &&
      inet_pton(AF_INET6, e.host.c_str(), addr) != 1)
    throw UsageError(option + " " + text + ": the host must be an IP address");
  return e;
}

}  // namespace

void add_serve_options(CLI::App& cmd, ServeOptions& o) {
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  add_listener_options(cmd, o);
  add_db_option(cmd, o.db,
                "database; an SQLite file is created (0600) with its directories if missing");
  add_service_options(cmd, o);
  cmd.add_option("--config", o.config_file,
                 "read options from this TOML file: `name = value` per long option name "
                 "(a flag or the environment beats the file) [default: none]")
      ->envname(env_name("config"))
      ->configurable(false);
  cmd.add_flag("--check-config", o.check_config,
               "check the options, the config file, the hook token, the OME secret and the "
               "database, then exit "
               "(0 when all is well) [default: off]")
      ->configurable(false);
}

void finish_serve_options(CLI::App& cmd, ServeOptions& o) {
  std::set<std::string> from_file;
  if (!o.config_file.empty()) from_file = apply_config_file(cmd, o.config_file);
  o.hook_token = secret_option(cmd, "hook-token", from_file).value_or("");
  o.ome_secret = secret_option(cmd, "ome-secret", from_file).value_or("");
  o.console_admin_token = secret_option(cmd, "console-admin-token", from_file).value_or("");
  o.api = endpoint("--listen", o.listen);
  // Hooks default to loopback on the port after the API's (8080 -> 8081), so
  // several servers started with only --listen do not fight over one port.
  if (o.hook_listen.empty()) {
    o.hooks = {"--hook-listen", "127.0.0.1",
               static_cast<uint16_t>(o.api.port == 0 || o.api.port == 65535 ? 0 : o.api.port + 1),
               " (the default: the --listen port + 1)"};
  } else {
    o.hooks = endpoint("--hook-listen", o.hook_listen);
  }
  check_db_path(o.db);
  if (auto problem = hooks::real_ip_from_problem(o.ome_real_ip_from))
    throw UsageError("--ome-real-ip-from: " + *problem);
  if (!o.srs_api.empty()) o.kicks.srs = parse_media_server_api("--srs-api", o.srs_api);
  if (!o.mediamtx_api.empty())
    o.kicks.mediamtx = parse_media_server_api("--mediamtx-api", o.mediamtx_api);
  if (o.tls_cert.empty() != o.tls_key.empty())
    throw UsageError("--tls-cert and --tls-key: give both or neither");
  for (const std::string* file : {&o.tls_cert, &o.tls_key}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0)
      throw UsageError("cannot read " + *file + " (" + std::strerror(errno) + ")");
  }
}

void check_serve_database(const ServeOptions& o) {
  check_database(o.db);
}

AppConfig app_config(const ServeOptions& o) {
  AppConfig config;
  config.legacy.timestamp_window = o.timestamp_window;
  config.legacy.origin_host = o.origin_host;
  config.legacy.playback_url_template = o.playback_url;
  config.test_controls = o.test_controls;
  config.hook_token = o.hook_token;
  config.ome_secret = o.ome_secret;
  config.ome_real_ip_from = o.ome_real_ip_from;
  config.server_name = o.server_name;
  config.session_idle = o.session_idle;
  config.session_ttl = o.session_ttl;
  config.hash_workers = o.hash_workers;
  config.publish_fail_delay_ms = o.publish_fail_delay;
  config.access_log = o.access_log;
  config.decision_log = o.decision_log;
  config.kicks = o.kicks;
  config.console.admin_token = o.console_admin_token;
  config.console.session_ttl = o.console_session_ttl;
  config.console.secure_cookie = !o.tls_cert.empty();
  config.console.legacy = config.legacy;
  return config;
}

}  // namespace sevu

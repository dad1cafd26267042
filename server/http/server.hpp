// The async HTTP/1.1 server. Beast/Asio stay behind this header (pimpl).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/http_client.hpp"
#include "core/http_message.hpp"

namespace sevu {

struct HttpLimits {
  std::size_t max_body = 1 << 20;           // larger bodies get 413 before they are read
  std::size_t max_header = 16 << 10;        // request line + fields
  std::chrono::seconds header_timeout{10};  // a new connection must send its header within this
  std::chrono::seconds body_timeout{30};    // ... and its body within this
  std::chrono::seconds idle_timeout{60};    // keep-alive wait for the next request
};

// What one listener may hold, apart from every other listener's: a flood on
// one never takes another's connections or io threads.
struct ListenOptions {
  std::size_t max_connections = 10000;  // further connections are closed at once
  std::size_t max_per_client = 0;       // per client address (IPv6: per /64); 0: no limit
  std::size_t threads = 0;              // > 0: served by its own io threads, not the shared ones
  std::string tls_cert, tls_key;        // both set: HTTPS with this PEM chain and key
};

// Loads a listener's TLS files as listen() would, and lets them go: throws
// std::runtime_error naming the file that fails (serve --check-config).
void check_tls_files(const ListenOptions& options);

class HttpServer {
 public:
  // `threads` io threads serve every listener without threads of its own.
  HttpServer(std::size_t threads, HttpLimits limits);
  ~HttpServer();

  // Binds and starts accepting; port 0 picks a free port. Returns the bound port.
  // Throws std::runtime_error with the reason when the address cannot be bound.
  uint16_t listen(const std::string& host, uint16_t port, Handler handler,
                  ListenOptions options = {});

  // Reads every listener's TLS certificate and key again (after a renewal);
  // new connections present the new ones. A file that fails to load is logged
  // and the listener keeps the certificate it had.
  void reload_tls();

  // Called on the io thread at each SIGHUP while run() serves (which then no
  // longer ends the process).
  void on_hangup(std::function<void()> reload);

  // Outbound calls (to media servers' APIs), sent on the shared io threads:
  // they go out while run() serves. Lives as long as the server.
  HttpClient& client();

  // Serves until SIGINT/SIGTERM. Then stops accepting, lets in-flight requests
  // finish and answer, closes idle connections, and returns once every
  // connection is gone.
  void run();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sevu

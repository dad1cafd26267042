// Shared state of one HttpServer: limits, the io threads, and the registry of
// live connections that a graceful stop walks. Internal to server/http/.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "http/connection_budget.hpp"
#include "http/server.hpp"

namespace sevu::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;
// A socket bound to one io_context's own executor: no type-erased executor on
// every operation.
using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;

// io_contexts run by exactly one thread each. A connection lives on one of them
// for its whole life, so its handlers never run at once and need no strand;
// new connections go round-robin (docs/performance.md, the HTTP layer).
class IoThreads {
 public:
  explicit IoThreads(std::size_t n) {
    for (std::size_t i = 0; i < (n ? n : 1); ++i) {
      contexts_.push_back(std::make_unique<net::io_context>(1));
      idle_.push_back(net::make_work_guard(*contexts_.back()));
    }
  }
  // Until then, a context with no connection yet keeps its thread waiting for one.
  void release() {
    for (auto& guard : idle_) guard.reset();
  }
  net::io_context& first() { return *contexts_.front(); }
  net::io_context& next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
  }
  const std::vector<std::unique_ptr<net::io_context>>& contexts() const { return contexts_; }

 private:
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> idle_;
  std::atomic<std::size_t> next_{0};
};

class Connection;

struct ServerState {
  explicit ServerState(HttpLimits l) : limits(l) {}

  HttpLimits limits;
  std::atomic<bool> stopping{false};

  std::mutex connections_mutex;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
};

// Starts a connection on an accepted socket holding its place in the listener's budget
// (connection.cpp).
// tls: the listener's current TLS context, or null for plain HTTP.
void start_connection(const std::shared_ptr<ServerState>& state, Socket socket,
                      const std::shared_ptr<const Handler>& handler, ConnectionBudget::Lease lease,
                      std::shared_ptr<net::ssl::context> tls);
// Asks every connection to close once its in-flight request has been answered.
void close_connections(ServerState& state);

}  // namespace sevu::http

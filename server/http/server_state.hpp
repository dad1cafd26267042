// Shared state of one HttpServer: limits, and the registry of live connections that
// a graceful stop walks. Internal to server/http/.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

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
void start_connection(const std::shared_ptr<ServerState>& state, tcp::socket socket,
                      const std::shared_ptr<const Handler>& handler,
                      ConnectionBudget::Lease lease);
// Asks every connection to close once its in-flight request has been answered.
void close_connections(ServerState& state);

}  // namespace sevu::http

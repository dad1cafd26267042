#include "http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <stdexcept>
#include <thread>

#include "http/listener.hpp"

namespace sevu {

struct HttpServer::Impl {
  Impl(std::size_t n, HttpLimits limits)
      : threads(n ? n : 1), state(std::make_shared<http::ServerState>(limits)) {}

  std::size_t threads;
  std::shared_ptr<http::ServerState> state;
  std::vector<std::shared_ptr<http::Listener>> listeners;
  std::unique_ptr<http::net::signal_set> signals;

  void begin_stop() {
    if (state->stopping.exchange(true)) return;
    for (auto& l : listeners) l->stop();
    if (signals) signals->cancel();
    http::close_sessions(*state);
  }
};

HttpServer::HttpServer(std::size_t threads, HttpLimits limits)
    : impl_(std::make_shared<Impl>(threads, limits)) {}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::listen(const std::string& host, uint16_t port, Handler handler) {
  boost::system::error_code ec;
  auto addr = http::net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + host + "': use an IP address");
  try {
    auto l = std::make_shared<http::Listener>(impl_->state, http::tcp::endpoint(addr, port),
                                              std::make_shared<const Handler>(std::move(handler)));
    l->start();
    impl_->listeners.push_back(l);
    return l->port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             e.code().message());
  }
}

void HttpServer::run() {
  auto impl = impl_;
  impl->signals = std::make_unique<http::net::signal_set>(impl->state->ioc, SIGINT, SIGTERM);
  impl->signals->async_wait([impl](boost::system::error_code ec, int) {
    if (!ec) impl->begin_stop();
  });
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < impl->threads; ++i)
    pool.emplace_back([impl] { impl->state->ioc.run(); });
  impl->state->ioc.run();
  for (auto& t : pool) t.join();
}

void HttpServer::stop() {
  auto impl = impl_;
  http::net::post(impl->state->ioc, [impl] { impl->begin_stop(); });
}

std::size_t HttpServer::connections() const {
  return impl_->state->session_count();
}

}  // namespace sevu

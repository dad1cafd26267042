#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "http/server_state.hpp"

namespace sevu::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens, binds and listens on `ioc`; throws boost::system::system_error on failure.
  Listener(std::shared_ptr<ServerState> state, net::io_context& ioc, const tcp::endpoint& endpoint,
           std::shared_ptr<const Handler> handler, const ListenOptions& options);
  uint16_t port() const;
  void start();
  void stop();

 private:
  void accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);
  void admit(tcp::socket socket);

  std::shared_ptr<ServerState> state_;
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;  // out of file descriptors: wait before accepting again
  std::shared_ptr<const Handler> handler_;
  std::shared_ptr<ConnectionBudget> budget_;
};

}  // namespace sevu::http

#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>

#include "http/server_state.hpp"

namespace sevu::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens, binds and listens; throws boost::system::system_error on failure.
  Listener(std::shared_ptr<ServerState> state, const tcp::endpoint& endpoint,
           std::shared_ptr<const Handler> handler);
  uint16_t port() const;
  void start();
  void stop();

 private:
  void accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);

  std::shared_ptr<ServerState> state_;
  tcp::acceptor acceptor_;
  std::shared_ptr<const Handler> handler_;
};

}  // namespace sevu::http

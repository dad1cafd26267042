#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

#include <memory>

#include "http/server_state.hpp"
#include "http/tls.hpp"

namespace sevu::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens, binds and listens on the first of `threads`, and hands each connection
  // to the next of them; throws boost::system::system_error on failure.
  Listener(std::shared_ptr<ServerState> state, IoThreads& threads, const tcp::endpoint& endpoint,
           std::shared_ptr<const Handler> handler, const ListenOptions& options,
           std::shared_ptr<TlsFiles> tls = nullptr);
  uint16_t port() const;
  void start();
  void stop();

 private:
  void accept();
  void on_accept(boost::system::error_code ec, Socket socket);
  void admit(Socket socket);

  std::shared_ptr<ServerState> state_;
  IoThreads& threads_;
  net::basic_socket_acceptor<tcp, net::io_context::executor_type> acceptor_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                            net::io_context::executor_type>
      retry_;  // out of file descriptors: wait before accepting again
  std::shared_ptr<const Handler> handler_;
  std::shared_ptr<ConnectionBudget> budget_;
  std::shared_ptr<TlsFiles> tls_;  // null: plain HTTP
};

}  // namespace sevu::http

// Accepts connections on one address and starts a session for each, on its own strand.
#include "http/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>

#include <iostream>

namespace sevu::http {

Listener::Listener(std::shared_ptr<ServerState> state, const tcp::endpoint& endpoint,
                   std::shared_ptr<const Handler> handler)
    : state_(std::move(state)),
      acceptor_(net::make_strand(state_->ioc)),
      handler_(std::move(handler)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  if (endpoint.protocol() == tcp::v6()) acceptor_.set_option(net::ip::v6_only(false));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

uint16_t Listener::port() const {
  return acceptor_.local_endpoint().port();
}

void Listener::start() {
  accept();
}

void Listener::stop() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::accept() {
  acceptor_.async_accept(net::make_strand(state_->ioc),
                         [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
                           self->on_accept(ec, std::move(s));
                         });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    if (state_->session_count() >= state_->limits.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over the limit: refuse at once rather than queue
    } else {
      start_session(state_, std::move(socket), handler_);
    }
  } else if (ec == net::error::no_descriptors) {
    std::cerr << "sevu-server: accept: " << ec.message() << "\n";
  }
  accept();
}

}  // namespace sevu::http

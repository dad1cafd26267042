// Accepts connections on one address and starts a Connection for each, on the
// next io thread, while the listener's budget has room for it.
#include "http/listener.hpp"
#include "core/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include <chrono>

namespace sevu::http {

namespace {

std::string client_of(const Socket& socket) {
  boost::system::error_code ec;
  auto address = socket.remote_endpoint(ec).address();
  if (ec) return {};
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    return client_key(bytes.data(), bytes.size());
  }
  auto bytes = address.to_v6().to_bytes();
  return client_key(bytes.data(), bytes.size());
}

}  // namespace

Listener::Listener(std::shared_ptr<ServerState> state, IoThreads& threads,
                   const tcp::endpoint& endpoint, std::shared_ptr<const Handler> handler,
                   const ListenOptions& options, std::shared_ptr<TlsFiles> tls)
    : state_(std::move(state)),
      threads_(threads),
      acceptor_(threads.first().get_executor()),
      retry_(acceptor_.get_executor()),
      handler_(std::move(handler)),
      budget_(std::make_shared<ConnectionBudget>(options.max_connections, options.max_per_client)),
      tls_(std::move(tls)) {
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
    self->retry_.cancel();
  });
}

void Listener::accept() {
  acceptor_.async_accept(threads_.next(),
                         [self = shared_from_this()](boost::system::error_code ec, Socket s) {
                           self->on_accept(ec, std::move(s));
                         });
}

void Listener::on_accept(boost::system::error_code ec, Socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    admit(std::move(socket));
    return accept();
  }
  if (ec != net::error::no_descriptors && ec != net::error::no_buffer_space) return accept();
  // The connection stays in the backlog: accepting again at once would spin.
  log_line(LogLevel::kError, "accept: " + ec.message());
  retry_.expires_after(std::chrono::milliseconds(100));
  retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
    if (!e && self->acceptor_.is_open()) self->accept();
  });
}

void Listener::admit(Socket socket) {
  auto lease = budget_->take(client_of(socket));
  if (!lease) {
    boost::system::error_code ignored;
    socket.close(ignored);  // over the limit: refuse at once rather than queue
    return;
  }
  start_connection(state_, std::move(socket), handler_, std::move(*lease),
                   tls_ ? tls_->current() : nullptr);
}

}  // namespace sevu::http

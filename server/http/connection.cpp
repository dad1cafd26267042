// One HTTP/1.1 connection: read a request through the RequestReader (which
// refuses malformed and oversized ones), hand it to the endpoint, write its
// answer, repeat while keep-alive lasts.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/request_reader.hpp"
#include "http/server_state.hpp"

namespace sevu::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
// After a refusal, how long the client may go on sending what we will not read.
constexpr std::chrono::seconds kLinger{2};
}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> state, tcp::socket&& socket,
             std::shared_ptr<const Handler> handler, ConnectionBudget::Lease lease)
      : state_(std::move(state)),
        stream_(std::move(socket)),
        handler_(std::move(handler)),
        reader_(state_->limits),
        lease_(std::move(lease)) {}

  ~Connection() {
    std::lock_guard lock(state_->connections_mutex);
    state_->connections.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(state_->connections_mutex);
      state_->connections.emplace(this, weak_from_this());
    }
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->next_request(); });
  }

  // Called through the connection's strand by a graceful stop.
  void close_when_idle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

 private:
  void next_request() {
    if (closing_ || state_->stopping) return close();
    busy_ = false;
    reader_.start();
    stream_.expires_after(first_ ? state_->limits.header_timeout : state_->limits.idle_timeout);
    pump();
  }

  // Hands the buffered bytes to the reader and acts on what it makes of them.
  void pump() {
    for (;;) {
      std::size_t used = 0;
      auto data = buffer_.data();
      auto event = reader_.feed({static_cast<const char*>(data.data()), data.size()}, used);
      buffer_.consume(used);
      if (event.kind == ReadEvent::more) return read_more();
      first_ = false;
      busy_ = true;
      switch (event.kind) {
        case ReadEvent::header:
          stream_.expires_after(state_->limits.body_timeout);
          if (reader_.expects_continue()) return send_continue();
          continue;
        case ReadEvent::request:
          return dispatch();
        case ReadEvent::refuse:
          return refuse(event);
        default:
          return close();
      }
    }
  }

  void read_more() {
    stream_.async_read_some(
        buffer_.prepare(beast::read_size(buffer_, 65536)),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->buffer_.commit(n);
          if (ec == net::error::eof) return self->on_end_of_stream();
          if (ec) return self->close();  // a timeout or a reset: nobody to answer
          self->pump();
        });
  }

  // The client stopped sending before a whole request; it may still read an
  // answer when what it sent is already malformed.
  void on_end_of_stream() {
    auto data = buffer_.data();
    auto event = reader_.end_of_stream({static_cast<const char*>(data.data()), data.size()});
    if (event.kind != ReadEvent::refuse) return close();
    busy_ = true;
    refuse(event);
  }

  // The client waits for this before it sends the body (curl does, for a while,
  // and some clients forever).
  void send_continue() {
    auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                     reader_.version());
    bhttp::async_write(stream_, *cont,
                       [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
                         if (e) return self->close();
                         self->pump();
                       });
  }

  void dispatch() {
    stream_.expires_never();  // the endpoint may wait on the store; no read is pending
    keep_alive_ = reader_.keep_alive();
    version_ = reader_.version();
    head_ = reader_.head();
    HttpRequest out = reader_.take();
    out.remote_ip = remote_ip_;

    // The responder may run on a store thread: hop back onto this connection's
    // strand, and keep the io_context alive until it has been called.
    auto ex = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
    Responder respond = [self = shared_from_this(), ex](HttpResponse res) {
      net::post(ex, [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    };
    try {
      (*handler_)(std::move(out), std::move(respond));
    } catch (const std::exception&) {
      write(json_error(500, "INTERNAL", "internal error"));
    }
  }

  // Answers a request the reader refused, then closes: after a framing error
  // nothing that follows on the connection can be trusted (RFC 9112).
  void refuse(const ReadEvent& event) {
    keep_alive_ = false;
    head_ = false;
    lingering_ = true;
    version_ = reader_.version();
    write(json_error(event.status, event.code, event.message));
  }

  void write(HttpResponse res) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(res.status), version_ ? version_ : 11);
    msg->set(bhttp::field::server, "sevu-server");
    if (!res.body.empty() || res.status != 204)
      msg->set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) msg->set(k, v);
    msg->body() = std::move(res.body);
    if (head_) {  // a HEAD answer announces the length but sends no body
      msg->content_length(msg->body().size());
      msg->body().clear();
    }
    bool keep = keep_alive_ && !closing_ && !state_->stopping;
    msg->keep_alive(keep);
    if (!head_) msg->prepare_payload();
    stream_.expires_after(state_->limits.body_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, keep](beast::error_code ec, std::size_t) {
                         if (ec) return self->close();
                         if (!keep) return self->lingering_ ? self->linger() : self->close();
                         self->next_request();
                       });
  }

  // After a refusal the client may still be sending the request we did not
  // read; closing with those bytes unread would reset the connection, and the
  // reset can destroy our answer before the client reads it. So stop sending,
  // then read and drop for a moment.
  void linger() {
    busy_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || closing_ || state_->stopping) return close();
    stream_.expires_after(kLinger);
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();  // the client's end, or kLinger
                              self->drain();
                            });
  }

  void close() {
    busy_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  std::shared_ptr<ServerState> state_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<const Handler> handler_;
  RequestReader reader_;
  ConnectionBudget::Lease lease_;
  std::string remote_ip_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_ = true;
  bool busy_ = false;  // a request is being read, handled or answered
  bool closing_ = false;
  bool lingering_ = false;  // close through linger() once the answer is out
};

void start_connection(const std::shared_ptr<ServerState>& state, tcp::socket socket,
                      const std::shared_ptr<const Handler>& handler,
                      ConnectionBudget::Lease lease) {
  std::make_shared<Connection>(state, std::move(socket), handler, std::move(lease))->start();
}

void close_connections(ServerState& state) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(state.connections_mutex);
    for (auto& [ptr, weak] : state.connections)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close_when_idle();
}

}  // namespace sevu::http

// One HTTP/1.1 connection, after Beast's advanced_server example: read a header,
// refuse an oversized body before reading it, read the body, hand the request
// to the endpoint, write its answer, repeat while keep-alive lasts.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

#include "http/server_state.hpp"

namespace sevu::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerState> state, tcp::socket&& socket,
          std::shared_ptr<const Handler> handler)
      : state_(std::move(state)), stream_(std::move(socket)), handler_(std::move(handler)) {}

  ~Session() {
    std::lock_guard lock(state_->sessions_mutex);
    state_->sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(state_->sessions_mutex);
      state_->sessions.emplace(this, weak_from_this());
    }
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Called through the session's strand by a graceful stop.
  void close_when_idle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

 private:
  void read_header() {
    if (closing_ || state_->stopping) return close();
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_header));
    parser_->body_limit(state_->limits.max_body);
    stream_.expires_after(first_ ? state_->limits.header_timeout : state_->limits.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    first_ = false;
    busy_ = true;
    if (ec == bhttp::error::body_limit)
      return refuse(413, "PAYLOAD_TOO_LARGE", "request body too large");
    if (ec == bhttp::error::header_limit)
      return refuse(431, "HEADER_TOO_LARGE", "request header too large");
    if (ec) return close();  // timeout, reset, garbage: nothing sensible to answer
    auto len = parser_->content_length();
    if (len && *len > state_->limits.max_body)
      return refuse(413, "PAYLOAD_TOO_LARGE", "request body too large");
    stream_.expires_after(state_->limits.body_timeout);
    auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      // The client waits for this before it sends the body (curl does, for a
      // while, and some clients forever).
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       parser_->get().version());
      return bhttp::async_write(
          stream_, *cont, [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
            if (e) return self->close();
            self->read_body();
          });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return refuse(413, "PAYLOAD_TOO_LARGE", "request body too large");
    if (ec) return close();
    stream_.expires_never();  // the endpoint may wait on the store; no read is pending
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == bhttp::verb::head;

    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    out.remote_ip = remote_ip_;
    for (const auto& f : req) out.headers.emplace_back(f.name_string(), f.value());
    out.body = std::move(req.body());

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

  void refuse(int status, std::string_view code, std::string_view message) {
    keep_alive_ = false;  // the unread body is still on the wire
    head_ = false;
    version_ = parser_ ? parser_->get().version() : 11;
    write(json_error(status, code, message));
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
                         if (ec || !keep) return self->close();
                         self->read_header();
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
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<const Handler> handler_;
  std::string remote_ip_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_ = true;
  bool busy_ = false;  // a request is being read, handled or answered
  bool closing_ = false;
};

void start_session(const std::shared_ptr<ServerState>& state, tcp::socket socket,
                   const std::shared_ptr<const Handler>& handler) {
  std::make_shared<Session>(state, std::move(socket), handler)->start();
}

void close_sessions(ServerState& state) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(state.sessions_mutex);
    for (auto& [ptr, weak] : state.sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close_when_idle();
}

}  // namespace sevu::http

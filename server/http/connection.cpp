// One HTTP/1.1 connection: read a request through the RequestReader (which
// refuses malformed and oversized ones), hand it to the endpoint, write its
// answer, repeat while keep-alive lasts. The connection lives on one
// single-threaded io_context (IoThreads), so nothing here needs a strand.
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "http/request_reader.hpp"
#include "http/server_state.hpp"

namespace sevu::http {

namespace beast = boost::beast;

namespace {

using Clock = std::chrono::steady_clock;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, net::io_context::executor_type>;

// After a refusal, how long the client may go on sending what we will not read.
constexpr std::chrono::seconds kLinger{2};

// Statuses whose answers carry no body and no Content-Length (RFC 9110, 6.4.1).
bool bodiless(int status) {
  return status < 200 || status == 204 || status == 304;
}

// Runs f on the thread that runs ex: at once when called there (each
// io_context has one thread, so nothing else of its connections runs
// meanwhile), else posted to it.
template <class Executor, class F>
void run_on(const Executor& ex, F&& f) {
  if (ex.running_in_this_thread()) return f();
  net::post(ex, std::forward<F>(f));
}

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> state, Socket&& socket,
             std::shared_ptr<const Handler> handler, ConnectionBudget::Lease lease,
             std::shared_ptr<net::ssl::context> tls)
      : state_(std::move(state)),
        timer_(socket.get_executor()),
        handler_(std::move(handler)),
        reader_(state_->limits),
        lease_(std::move(lease)),
        tls_context_(std::move(tls)) {
    if (tls_context_) {
      tls_.emplace(std::move(socket), *tls_context_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  ~Connection() {
    std::lock_guard lock(state_->connections_mutex);
    state_->connections.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(state_->connections_mutex);
      state_->connections.emplace(this, weak_from_this());
    }
    boost::system::error_code ec;
    auto ep = tcp().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    net::dispatch(tcp().get_executor(), [self = shared_from_this()] {
      if (!self->tls_) return self->next_request();
      // The handshake counts against the header timeout, like a slow first line.
      self->set_deadline(self->state_->limits.header_timeout);
      self->tls_->async_handshake(net::ssl::stream_base::server,
                                  [self](boost::system::error_code e) {
                                    if (e) return self->close();
                                    self->next_request();
                                  });
    });
  }

  // From any thread, by a graceful stop.
  void close_when_idle() {
    net::dispatch(tcp().get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

 private:
  void next_request() {
    if (closing_ || state_->stopping) return close();
    busy_ = false;
    reader_.start();
    set_deadline(first_ ? state_->limits.header_timeout : state_->limits.idle_timeout);
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
          set_deadline(state_->limits.body_timeout);
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
    read_some(buffer_.prepare(beast::read_size(buffer_, 65536)),
              [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->buffer_.commit(n);
                if (ec == net::error::eof) return self->on_end_of_stream();
                if (ec) return self->close();  // a timeout or a reset
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
    out_ = reader_.version() == 10 ? "HTTP/1.0 100 Continue\r\n\r\n" : "HTTP/1.1 100 Continue\r\n\r\n";
    write_out([self = shared_from_this()](boost::system::error_code e, std::size_t) {
      if (e) return self->close();
      self->pump();
    });
  }

  void dispatch() {
    clear_deadline();  // the endpoint may wait on the store; no read is pending
    keep_alive_ = reader_.keep_alive();
    version_ = reader_.version();
    head_ = reader_.head();
    HttpRequest out = reader_.take();
    out.remote_ip = remote_ip_;

    // The responder may run on a store thread: hop back onto this connection's
    // io thread, and keep that io_context running until it has been called.
    // Called on that thread already (an answer from memory: a refusal, a
    // request inside a live session, /healthz), it writes at once: each
    // io_context has one thread, so nothing else of this connection runs,
    // and the write's completion is queued as any other. The hop cost such an
    // answer about 2 % of its io thread's instructions (docs/performance.md,
    // "Answers written without a hop, grants answered on their own thread").
    auto ex = net::require(tcp().get_executor(), net::execution::outstanding_work.tracked);
    Responder respond = [self = shared_from_this(), ex](HttpResponse res) {
      run_on(ex, [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    };
    // The same rule for whatever must run on this thread before the answer
    // exists (a grant decided on the store's writer is encoded here).
    out.on_own_thread = [ex](std::function<void()> task) { run_on(ex, std::move(task)); };
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

  // The status line, the fields and the body into out_, reused from one answer
  // to the next: one buffer, one write.
  void serialize(const HttpResponse& res, bool keep) {
    out_.clear();
    out_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(res.status);
    out_ += ' ';
    const auto reason = beast::http::obsolete_reason(static_cast<beast::http::status>(res.status));
    out_.append(reason.data(), reason.size());
    out_ += "\r\nServer: sevu-server\r\n";
    if (!res.body.empty() || res.status != 204) field("Content-Type", res.content_type);
    for (const auto& [name, value] : res.headers) field(name, value);
    if (version_ == 10 && keep) field("Connection", "keep-alive");
    if (version_ != 10 && !keep) field("Connection", "close");
    // A HEAD answer announces the length of the body it does not send.
    if (!bodiless(res.status)) field("Content-Length", std::to_string(res.body.size()));
    out_ += "\r\n";
    if (!head_ && !bodiless(res.status)) out_ += res.body;
  }

  void field(std::string_view name, std::string_view value) {
    out_.append(name.data(), name.size());
    out_ += ": ";
    out_.append(value.data(), value.size());
    out_ += "\r\n";
  }

  void write(HttpResponse res) {
    const bool keep = keep_alive_ && !closing_ && !state_->stopping;
    serialize(res, keep);
    set_deadline(state_->limits.body_timeout);
    write_out([self = shared_from_this(), keep](boost::system::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!keep) return self->lingering_ ? self->linger() : self->close();
      // The next read starts behind the answers already queued, not at once:
      // Asio tries a read as soon as it is started, and right after an answer
      // the client has rarely sent its next request yet, so that read was a
      // wasted recv (EAGAIN) for about half of all requests; a third now
      // (docs/performance.md, "Reads started after the queue").
      net::post(self->tcp().get_executor(), [self] { self->next_request(); });
    });
  }

  // After a refusal the client may still be sending the request we did not
  // read; closing with those bytes unread would reset the connection, and the
  // reset can destroy our answer before the client reads it. So stop sending,
  // then read and drop for a moment.
  void linger() {
    busy_ = false;
    boost::system::error_code ec;
    tcp().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || closing_ || state_->stopping) return close();
    set_deadline(kLinger);
    drain();
  }

  void drain() {
    buffer_.clear();
    // Under TLS the raw socket is drained: nothing read here is ever decrypted.
    tcp().async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            if (ec) return self->close();  // the client's end, or kLinger
                            self->drain();
                          });
  }

  // Deadlines cost a store, not a timer operation, per request: one timer per
  // connection wakes at the earliest deadline it knows of, and either closes the
  // connection (the deadline passed) or sleeps again until the current one.
  void set_deadline(Clock::duration d) {
    deadline_ = Clock::now() + d;
    if (!timer_armed_ || deadline_ < timer_.expiry()) arm_timer();
  }

  void clear_deadline() { deadline_ = Clock::time_point::max(); }

  void arm_timer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec == net::error::operation_aborted) return;  // re-armed; that wait owns the timer
      self->timer_armed_ = false;
      if (ec || !self->tcp().is_open()) return;
      if (self->deadline_ == Clock::time_point::max()) return;  // armed again when one is set
      if (Clock::now() >= self->deadline_) return self->close();  // pending I/O fails: no answer
      self->arm_timer();
    });
  }

  void close() {
    busy_ = false;
    boost::system::error_code ec;
    // Under TLS no close_notify is sent: the answer was framed by its length.
    tcp().shutdown(tcp::socket::shutdown_send, ec);
    tcp().close(ec);
    timer_.cancel();
  }

  Socket& tcp() { return tls_ ? tls_->next_layer() : *plain_; }

  template <class Buffers, class Done>
  void read_some(const Buffers& buffers, Done&& done) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Done>(done));
    plain_->async_read_some(buffers, std::forward<Done>(done));
  }

  template <class Done>
  void write_out(Done&& done) {
    if (tls_) return net::async_write(*tls_, net::buffer(out_), std::forward<Done>(done));
    net::async_write(*plain_, net::buffer(out_), std::forward<Done>(done));
  }

  std::shared_ptr<ServerState> state_;
  Timer timer_;
  beast::flat_buffer buffer_;
  std::string out_;  // the answer being written
  std::shared_ptr<const Handler> handler_;
  RequestReader reader_;
  ConnectionBudget::Lease lease_;
  std::shared_ptr<net::ssl::context> tls_context_;  // outlives tls_ (declared before it)
  std::optional<Socket> plain_;
  std::optional<net::ssl::stream<Socket>> tls_;
  std::string remote_ip_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timer_armed_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_ = true;
  bool busy_ = false;  // a request is being read, handled or answered
  bool closing_ = false;
  bool lingering_ = false;  // close through linger() once the answer is out
};

void start_connection(const std::shared_ptr<ServerState>& state, Socket socket,
                      const std::shared_ptr<const Handler>& handler, ConnectionBudget::Lease lease,
                      std::shared_ptr<net::ssl::context> tls) {
  std::make_shared<Connection>(state, std::move(socket), handler, std::move(lease), std::move(tls))
      ->start();
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

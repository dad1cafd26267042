#include "http/http_client.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/basic_resolver.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "http/server_state.hpp"

namespace sevu::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

using Clock = std::chrono::steady_clock;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, net::io_context::executor_type>;
using Resolver = net::ip::basic_resolver<tcp, net::io_context::executor_type>;

// Media servers' API answers are small JSON objects; a larger one is cut off
// as an error rather than buffered.
constexpr std::size_t kMaxAnswer = 64 << 10;

// One call's life: resolve (unless the host is an address), connect, write,
// read, under one deadline that closes whatever is pending.
class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(net::io_context& ioc, OutboundCall call, OutboundDone done)
      : socket_(ioc.get_executor()),
        resolver_(ioc.get_executor()),
        deadline_(ioc.get_executor()),
        call_(std::move(call)),
        done_(std::move(done)) {}

  void start() {
    deadline_.expires_after(call_.timeout);
    deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->expire();
    });
    boost::system::error_code ec;
    const auto address = net::ip::make_address(call_.host, ec);
    if (!ec) return connect(std::vector<tcp::endpoint>{tcp::endpoint(address, call_.port)});
    resolver_.async_resolve(call_.host, std::to_string(call_.port),
                            [self = shared_from_this()](boost::system::error_code e,
                                                        Resolver::results_type found) {
                              if (e) return self->fail("cannot resolve the host", e);
                              self->connect(found);
                            });
  }

 private:
  template <class Endpoints>
  void connect(const Endpoints& endpoints) {
    net::async_connect(socket_, endpoints,
                       [self = shared_from_this()](boost::system::error_code ec, const tcp::endpoint&) {
                         if (ec) return self->fail("cannot connect", ec);
                         self->write();
                       });
  }

  void write() {
    const HttpRequest& r = call_.request;
    request_.method_string(r.method);
    request_.target(r.target);
    request_.version(11);
    const bool v6 = call_.host.find(':') != std::string::npos;
    request_.set(bhttp::field::host,
                 (v6 ? "[" + call_.host + "]" : call_.host) + ":" + std::to_string(call_.port));
    request_.set(bhttp::field::user_agent, "sevu-server");
    request_.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : r.headers) request_.set(name, value);
    request_.body() = r.body;
    request_.prepare_payload();
    bhttp::async_write(socket_, request_,
                       [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                         if (ec) return self->fail("cannot send the request", ec);
                         self->read();
                       });
  }

  void read() {
    parser_.body_limit(kMaxAnswer);
    bhttp::async_read(socket_, buffer_, parser_,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->fail("no valid answer", ec);
                        self->answered();
                      });
  }

  void answered() {
    const auto& m = parser_.get();
    HttpResponse response;
    response.status = static_cast<int>(m.result_int());
    response.content_type = std::string(m[bhttp::field::content_type]);
    response.body = m.body();
    finish(OutboundResult{std::move(response), {}});
  }

  void expire() {
    timed_out_ = true;
    resolver_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void fail(const char* what, boost::system::error_code ec) {
    finish(OutboundResult{std::nullopt,
                          timed_out_ ? "timed out after " + std::to_string(call_.timeout.count()) + " ms"
                                     : std::string(what) + ": " + ec.message()});
  }

  void finish(OutboundResult result) {
    if (!done_) return;
    deadline_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  Socket socket_;
  Resolver resolver_;
  Timer deadline_;
  OutboundCall call_;
  OutboundDone done_;
  bool timed_out_ = false;
  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
};

class BeastHttpClient : public HttpClient {
 public:
  explicit BeastHttpClient(net::io_context& ioc) : ioc_(ioc) {}

  void send(OutboundCall call, OutboundDone done) override {
    // Onto the io thread: the caller (a store worker) never waits on the network.
    net::post(ioc_, [&ioc = ioc_, call = std::move(call), done = std::move(done)]() mutable {
      std::make_shared<Call>(ioc, std::move(call), std::move(done))->start();
    });
  }

 private:
  net::io_context& ioc_;
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client(net::io_context& ioc) {
  return std::make_unique<BeastHttpClient>(ioc);
}

}  // namespace sevu::http

// sevu-loadgen: a closed-loop HTTP/1.1 load generator for bench/run, for the one
// scenario wrk cannot drive: legacy `sevu.request` calls, each freshly signed
// (wrk's Lua has no HMAC, and a repeated signature is answered from the repeat
// table instead of running the command: docs/legacy-api.md). It can also send
// one fixed request over and over, so that bench/run can drive a route with
// both this and wrk and show that the two agree.
//
// Like `wrk -tT -cC -dS --latency`: C keep-alive connections spread over T
// threads (one io_context each), each sending its next request as soon as the
// previous answer is read, for S seconds. Prints one JSON line: requests,
// errors (transport errors, an unexpected status, or in legacy mode a reply
// that is not code 2002), req/s, p50 and p99 in milliseconds.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "auth/crypto.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::string> headers;
  std::string body;
  int expect = 200;
  int connections = 64;
  int threads = 1;
  double seconds = 5;
  // legacy mode: "CDN:API_KEY:SECRET"; each request a new, signed sevu.request.
  std::string legacy;
};

// n in decimal, appended without a temporary string.
void append_number(std::string& out, std::uint64_t n) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// A signed sevu.request whose signature no earlier request had: the pass
// carries this process's id and a counter, so the command really runs.
//
// The load generator shares the machine with the server it measures, so every
// µs it spends is taken from the server's figure: the parts every request has
// in common are written once, the process id read once (glibc makes getpid a
// system call each time), and each request is written into the connection's
// own buffers, reused (docs/performance.md, "The load generator's own cost").
class LegacySigner {
 public:
  explicit LegacySigner(const std::string& spec) {
    auto a = spec.find(':'), b = spec.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) throw std::invalid_argument("--legacy CDN:API_KEY:SECRET");
    const std::string cdn = spec.substr(0, a), api_key = spec.substr(a + 1, b - a - 1);
    secret_ = spec.substr(b + 1);
    before_timestamp_ = "{\"command\":\"sevu.request\",\"api_key\":\"" + api_key + "\",\"timestamp\":";
    before_counter_ = ",\"cdn\":" + cdn + ",\"app\":\"demo-origin\",\"video\":\"mystream\",\"pass\":\"bench-" +
                      std::to_string(::getpid()) + "-";
    after_counter_ = "\",\"ip\":\"\",\"uses\":5,\"expire\":\"+1 day\"}";
  }

  // The compact JSON PHP's json_encode writes (all ASCII, no '/': nothing to
  // escape), signed, with the signature member appended; written over `body`.
  void next_body(std::string& body) {
    auto n = counter_.fetch_add(1, std::memory_order_relaxed);
    body.assign(before_timestamp_);
    append_number(body, static_cast<std::uint64_t>(std::time(nullptr)));
    body += before_counter_;
    append_number(body, n);
    body += after_counter_;
    auto sig = sevu::base64_encode(sevu::hmac_sha256(secret_, body));
    body.pop_back();
    body += ",\"signature\":\"";
    body += sig;
    body += "\"}";
  }

 private:
  std::string secret_, before_timestamp_, before_counter_, after_counter_;
  std::atomic<std::uint64_t> counter_{0};
};

// The request line and headers, up to the Content-Length the body decides.
std::string request_head(const Options& o) {
  std::string r = o.method + " " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + o.port + "\r\n";
  for (const auto& h : o.headers) r += h + "\r\n";
  return r;
}

// `head` and `body` as one request, written over `out`.
void write_request(const Options& o, const std::string& head, const std::string& body, std::string& out) {
  out.assign(head);
  if (!body.empty() || o.method == "POST") {
    out += "Content-Length: ";
    append_number(out, body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += body;
}

// What the figures need of an answer (its status, its body, whether the
// connection stays open), read by Beast's parser without keeping the header
// fields, as wrk keeps none: a response<> would allocate each field and the
// body for every answer, which perf put at a tenth of this tool's time.
class AnswerParser : public http::basic_parser<false> {
 public:
  explicit AnswerParser(std::string& body) : body_(body) { body_.clear(); }

  int status() const { return status_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int, beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override { status_ = code; }
  void on_field_impl(http::field, beast::string_view, beast::string_view, beast::error_code&) override {}
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  std::size_t on_body_impl(beast::string_view part, beast::error_code&) override {
    body_.append(part.data(), part.size());
    return part.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view part, beast::error_code& ec) override {
    return on_body_impl(part, ec);
  }
  void on_finish_impl(beast::error_code&) override {}

  std::string& body_;
  int status_ = 0;
};

struct Tally {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::vector<std::uint32_t> latency_us;
  std::string first_error;  // what went wrong first, for the reader of the figures

  void error(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
};

// One keep-alive connection in a closed loop until the deadline.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const tcp::resolver::results_type& endpoints, const Options& o,
             LegacySigner* signer, Clock::time_point deadline, Tally& tally)
      : socket_(io), retry_(io), endpoints_(endpoints), o_(o), signer_(signer), deadline_(deadline),
        tally_(tally) {
    if (!signer_) write_request(o_, request_head(o_), o_.body, out_);
    else head_ = request_head(o_);
  }

  void start() { connect(); }

 private:
  bool over() const { return Clock::now() >= deadline_; }

  void connect() {
    if (over()) return;
    asio::async_connect(socket_, endpoints_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->failed(ec);
      self->socket_.set_option(tcp::no_delay(true));
      self->send();
    });
  }

  void send() {
    if (over()) return close();
    if (signer_) {
      signer_->next_body(body_);
      write_request(o_, head_, body_, out_);
    }
    sent_ = Clock::now();
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failed(ec);
      self->receive();
    });
  }

  void receive() {
    answer_.emplace(answer_body_);
    http::async_read(socket_, buf_, *answer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failed(ec);
      self->answered();
    });
  }

  void answered() {
    auto done = Clock::now();
    if (done > deadline_) return close();  // finished after the run: not counted, like wrk
    ++tally_.requests;
    tally_.latency_us.push_back(
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(done - sent_).count()));
    bool ok = answer_->status() == o_.expect &&
              (!signer_ || answer_body_.find("\"code\":2002") != std::string::npos);
    if (!ok) tally_.error("HTTP " + std::to_string(answer_->status()) + ": " + answer_body_.substr(0, 200));
    if (!answer_->keep_alive()) {
      close();
      buf_.clear();
      return connect();
    }
    send();
  }

  void failed(const beast::error_code& ec) {
    if (over()) return close();
    tally_.error(ec.message());
    reconnect();
  }

  // A short pause before reconnecting, so that a refusing server is not spun on.
  void reconnect() {
    close();
    buf_.clear();
    retry_.expires_after(std::chrono::milliseconds(10));
    retry_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer retry_;
  const tcp::resolver::results_type& endpoints_;
  const Options& o_;
  LegacySigner* signer_;
  Clock::time_point deadline_;
  Tally& tally_;
  std::string head_, body_, out_;  // out_: the request on the wire; without a signer, the same each time
  beast::flat_buffer buf_;
  std::string answer_body_;               // reused: the parser writes each answer's body into it
  std::optional<AnswerParser> answer_;    // a parser reads one message: made afresh for each
  Clock::time_point sent_;
};

double percentile_ms(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

[[noreturn]] void usage() {
  std::cerr << "usage: sevu-loadgen --port P [--host H] [--method M] [--path P] [--header 'K: V']...\n"
               "         [--body TEXT] [--expect STATUS] [-c CONNECTIONS] [-t THREADS] [-d SECONDS]\n"
               "         [--legacy CDN:API_KEY:SECRET]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage();
    std::string v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = v;
    else if (a == "--method") o.method = v;
    else if (a == "--path") o.path = v;
    else if (a == "--header") o.headers.push_back(v);
    else if (a == "--body") o.body = v;
    else if (a == "--expect") o.expect = std::stoi(v);
    else if (a == "-c") o.connections = std::stoi(v);
    else if (a == "-t") o.threads = std::stoi(v);
    else if (a == "-d") o.seconds = std::stod(v);
    else if (a == "--legacy") o.legacy = v;
    else usage();
  }
  if (o.port.empty() || o.connections < 1 || o.threads < 1 || o.seconds <= 0) usage();
  if (!o.legacy.empty()) {
    o.method = "POST";
    o.headers.push_back("Content-Type: application/json");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::unique_ptr<LegacySigner> signer;
  if (!o.legacy.empty()) signer = std::make_unique<LegacySigner>(o.legacy);

  asio::io_context resolve_io;
  auto endpoints = tcp::resolver(resolve_io).resolve(o.host, o.port);
  int threads = std::min(o.threads, o.connections);
  std::vector<Tally> tallies(static_cast<std::size_t>(threads));
  auto start = Clock::now();
  auto deadline = start + std::chrono::microseconds(static_cast<std::int64_t>(o.seconds * 1e6));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      asio::io_context io;
      int mine = o.connections / threads + (t < o.connections % threads ? 1 : 0);
      for (int c = 0; c < mine; ++c)
        std::make_shared<Connection>(io, endpoints, o, signer.get(), deadline, tallies[static_cast<std::size_t>(t)])
            ->start();
      // Answers still in flight at the deadline are not counted: stop waiting for them.
      asio::steady_timer end(io, deadline);
      end.async_wait([&io](beast::error_code) { io.stop(); });
      io.run();
    });
  }
  for (auto& w : workers) w.join();
  double elapsed = std::chrono::duration<double>(deadline - start).count();

  Tally all;
  for (auto& t : tallies) {
    all.requests += t.requests;
    if (all.first_error.empty()) all.first_error = t.first_error;
    all.errors += t.errors;
    all.latency_us.insert(all.latency_us.end(), t.latency_us.begin(), t.latency_us.end());
  }
  double p50 = percentile_ms(all.latency_us, 0.50), p99 = percentile_ms(all.latency_us, 0.99);
  std::printf("{\"requests\":%llu,\"errors\":%llu,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"seconds\":%.3f}\n",
              static_cast<unsigned long long>(all.requests), static_cast<unsigned long long>(all.errors),
              static_cast<double>(all.requests) / elapsed, p50, p99, elapsed);
  if (!all.first_error.empty()) std::cerr << "first error: " << all.first_error << "\n";
  return 0;
}

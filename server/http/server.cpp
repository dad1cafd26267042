#include "http/server.hpp"

#include <sys/resource.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "core/io_burst.hpp"
#include "core/log.hpp"
#include "core/thread_name.hpp"
#include "http/http_client.hpp"
#include "http/listener.hpp"

namespace sevu {

namespace {

// Every budgeted connection needs a descriptor: raise the soft limit toward
// them, within the hard limit, and say so when they still do not fit (the
// listeners would then share one exhausted pool of descriptors).
void fit_descriptor_limit(std::size_t connections) {
  const rlim_t wanted = connections + 256;  // the database, logs, the listeners themselves
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < wanted) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < wanted)
    log_line(LogLevel::kWarning, "the listeners may hold " + std::to_string(connections) +
                                     " connections but only " + std::to_string(rl.rlim_cur) +
                                     " files may be open: raise `ulimit -n` or lower "
                                     "--max-connections");
}

}  // namespace

struct HttpServer::Impl {
  Impl(std::size_t n, HttpLimits limits) : state(std::make_shared<http::ServerState>(limits)) {
    groups.push_back(std::make_unique<http::IoThreads>(n));
    client = http::make_http_client(groups.front()->first());
  }

  std::shared_ptr<http::ServerState> state;
  // [0] serves every listener without threads of its own; the others one listener each.
  std::vector<std::unique_ptr<http::IoThreads>> groups;
  std::vector<std::shared_ptr<http::Listener>> listeners;
  std::vector<std::shared_ptr<http::TlsFiles>> tls;  // of the listeners that have TLS
  std::size_t budgets = 0;  // connections all listeners may hold
  std::unique_ptr<http::net::signal_set> signals;
  std::unique_ptr<http::net::signal_set> hangups;
  std::function<void()> on_hangup;
  std::unique_ptr<HttpClient> client;  // on groups[0]'s first io_context

  void wait_for_hangup() {
    hangups->async_wait([this](boost::system::error_code ec, int) {
      if (ec) return;
      if (on_hangup) on_hangup();
      wait_for_hangup();
    });
  }

  void begin_stop() {
    if (state->stopping.exchange(true)) return;
    for (auto& l : listeners) l->stop();
    if (signals) signals->cancel();
    if (hangups) hangups->cancel();
    http::close_connections(*state);
    for (auto& g : groups) g->release();  // each thread ends once its connections have
  }
};

HttpServer::HttpServer(std::size_t threads, HttpLimits limits)
    : impl_(std::make_shared<Impl>(threads, limits)) {}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::listen(const std::string& host, uint16_t port, Handler handler,
                            ListenOptions options) {
  boost::system::error_code ec;
  auto addr = http::net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + host + "': use an IP address");
  std::shared_ptr<http::TlsFiles> tls;
  if (!options.tls_cert.empty() || !options.tls_key.empty())
    tls = std::make_shared<http::TlsFiles>(options.tls_cert, options.tls_key);  // throws, naming the file
  auto own = options.threads ? std::make_unique<http::IoThreads>(options.threads) : nullptr;
  auto& threads = own ? *own : *impl_->groups.front();
  try {
    auto l = std::make_shared<http::Listener>(impl_->state, threads, http::tcp::endpoint(addr, port),
                                              std::make_shared<const Handler>(std::move(handler)),
                                              options, tls);
    l->start();
    impl_->listeners.push_back(l);
    if (tls) impl_->tls.push_back(tls);
    if (own) impl_->groups.push_back(std::move(own));
    impl_->budgets += options.max_connections;
    return l->port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             e.code().message());
  }
}

void HttpServer::reload_tls() {
  for (auto& files : impl_->tls) {
    try {
      files->reload();
    } catch (const std::exception& e) {
      log_line(LogLevel::kError, std::string(e.what()) + "; keeping the certificate in use");
    }
  }
}

void HttpServer::on_hangup(std::function<void()> reload) {
  impl_->on_hangup = std::move(reload);
}

HttpClient& HttpServer::client() {
  return *impl_->client;
}

namespace {

// Each io_context has one thread (concurrency hint 1), so a post from that
// thread joins the queue behind the handlers already ready and the reactor's
// next turn; what that turn finds ready queues behind it. Work deferred to the
// end of the burst (core/io_burst.hpp) so waits for a bounded set of
// handlers, never for an endless stream of them.
void run_io_thread(http::net::io_context& io) {
  IoBurst::serve_on_this_thread([&io](IoBurst::Work work) { http::net::post(io, std::move(work)); });
  io.run();
  IoBurst::serve_on_this_thread(nullptr);  // what runs on this thread after it, runs at once
}

}  // namespace

void HttpServer::run() {
  auto impl = impl_;
  fit_descriptor_limit(impl->budgets);
  auto& main = impl->groups.front()->first();
  impl->signals = std::make_unique<http::net::signal_set>(main, SIGINT, SIGTERM);
  impl->signals->async_wait([impl](boost::system::error_code ec, int) {
    if (!ec) impl->begin_stop();
  });
  // SIGHUP no longer ends the process: it reopens the log files (logrotate).
  impl->hangups = std::make_unique<http::net::signal_set>(main, SIGHUP);
  impl->wait_for_hangup();
  // Each io_context is run by exactly one thread (IoThreads); the calling
  // thread runs the first shared one.
  std::vector<std::thread> pool;
  for (std::size_t g = 0; g < impl->groups.size(); ++g) {
    const char* name = g == 0 ? "sevu-io" : "sevu-hook-io";  // groups after the first: hooks
    for (auto& ioc : impl->groups[g]->contexts()) {
      if (ioc.get() == &main) continue;
      pool.emplace_back([c = ioc.get(), name] {
        name_this_thread(name);
        run_io_thread(*c);
      });
    }
  }
  run_io_thread(main);
  for (auto& t : pool) t.join();
}

void check_tls_files(const ListenOptions& options) {
  if (!options.tls_cert.empty()) http::TlsFiles(options.tls_cert, options.tls_key);
}

}  // namespace sevu

// Where every internal error goes: a request that failed for a reason that is
// not its caller's (the store failed, a bug threw). Each is counted once, for
// sevu_internal_errors_total on /metrics, and logged once as one line with its
// cause. Callers report only a route or command name and an exception's text:
// never a query string, a body or a secret.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sevu {

class ErrorSink {
 public:
  // Receives each line, without a newline. Empty: the line goes to stderr.
  using LogLine = std::function<void(const std::string&)>;

  explicit ErrorSink(LogLine log = {}) : log_(std::move(log)) {}
  ErrorSink(const ErrorSink&) = delete;
  ErrorSink& operator=(const ErrorSink&) = delete;

  // where: what failed ("legacy command 'sevu.request'", "v2 PUT /v2/sevu_token");
  // cause: why (an exception's what()). Safe from any thread.
  void report(std::string_view where, std::string_view cause);
  // Only inside a catch block: reports the exception being handled.
  void report_current(std::string_view where);

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  LogLine log_;
  std::atomic<uint64_t> count_{0};
};

}  // namespace sevu

#include "core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sevu {

std::string log_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count()));
  return buf;
}

void log_line(LogLevel level, std::string_view message) {
  const char* name = level == LogLevel::kError ? "error" : level == LogLevel::kWarning ? "warning" : "info";
  std::string line = log_timestamp();
  line += ' ';
  line += name;
  line += " sevu-server: ";
  line.append(message.data(), message.size());
  line += '\n';
  // One write(2): lines of different threads never mix, and nothing is buffered
  // to be lost if the process dies right after.
  const ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace sevu

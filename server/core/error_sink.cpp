#include "core/error_sink.hpp"
#include "core/log.hpp"

#include <exception>

namespace sevu {

namespace {

// A cause may carry anything an exception text holds; it must stay one line.
void append_one_line(std::string& out, std::string_view text) {
  for (char c : text) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
}

}  // namespace

void ErrorSink::report(std::string_view where, std::string_view cause) {
  count_.fetch_add(1, std::memory_order_relaxed);
  std::string line = "sevu-server: internal error in ";
  append_one_line(line, where);
  line += ": ";
  append_one_line(line, cause.empty() ? std::string_view("unknown cause") : cause);
  if (log_) return log_(line);
  log_line(LogLevel::kError, std::string_view(line).substr(sizeof("sevu-server: ") - 1));
}

void ErrorSink::report_current(std::string_view where) {
  std::string cause = "a non-standard exception";
  try {
    throw;
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
  }
  report(where, cause);
}

}  // namespace sevu

#include "core/error_sink.hpp"

#include <exception>
#include <iostream>

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
  std::cerr << line + "\n" << std::flush;  // one write, so threads do not interleave
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

// The server's own messages on stderr: one line each, with a UTC timestamp and
// a level, written in one call so that threads never interleave
// ("2026-12-01T13:55:08Z error sevu-server: internal error in ...").
// Callers never pass a secret, a query string or a body.
#pragma once

#include <string>
#include <string_view>

namespace sevu {

enum class LogLevel { kInfo, kWarning, kError };

void log_line(LogLevel level, std::string_view message);

// "2026-12-01T13:55:08.123Z", now.
std::string log_timestamp();

}  // namespace sevu

// ErrorSink: every report is counted once and logged as exactly one line.
#include "core/error_sink.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using sevu::ErrorSink;

TEST_CASE("ErrorSink counts each report and logs one line with its cause") {
  std::vector<std::string> lines;
  ErrorSink sink([&](const std::string& line) { lines.push_back(line); });
  CHECK(sink.count() == 0);
  sink.report("hook /hooks/check", "database is locked");
  CHECK(sink.count() == 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "sevu-server: internal error in hook /hooks/check: database is locked");
}

TEST_CASE("ErrorSink keeps a multi-line cause on one line") {
  std::vector<std::string> lines;
  ErrorSink sink([&](const std::string& line) { lines.push_back(line); });
  sink.report("v2 GET\n/x", "first\nsecond\r\tthird");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "sevu-server: internal error in v2 GET /x: first second  third");
  sink.report("legacy request", "");
  CHECK(lines[1] == "sevu-server: internal error in legacy request: unknown cause");
}

TEST_CASE("ErrorSink::report_current reads the exception being handled") {
  std::vector<std::string> lines;
  ErrorSink sink([&](const std::string& line) { lines.push_back(line); });
  try {
    throw std::runtime_error("no such table: tickets");
  } catch (...) {
    sink.report_current("legacy command 'sevu.request'");
  }
  try {
    throw 42;
  } catch (...) {
    sink.report_current("hook /hooks/srs");
  }
  CHECK(sink.count() == 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "sevu-server: internal error in legacy command 'sevu.request': no such table: tickets");
  CHECK(lines[1] == "sevu-server: internal error in hook /hooks/srs: a non-standard exception");
}

// libFuzzer: the HTTP request path as a whole. Arbitrary bytes go through
// RequestReader exactly as a connection feeds it (server/http/connection.cpp,
// pump()): each request comes out whole and valid, or is refused with one
// answer and a close, or the connection just closes. The first byte picks how
// the bytes are split into reads; the outcome must not depend on it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_reader.hpp"

namespace {

using sevu::HttpRequest;
using sevu::http::ReadEvent;
using sevu::http::RequestReader;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_http: %s\n", what);
  std::abort();
}

sevu::HttpLimits limits() {
  sevu::HttpLimits l;
  l.max_body = 256;  // small, so that 413 and 431 are within reach of short inputs
  l.max_header = 512;
  return l;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// The non-empty elements of a comma-separated field value, trimmed.
std::vector<std::string_view> elements(std::string_view value) {
  std::vector<std::string_view> out;
  for (;;) {
    auto comma = value.find(',');
    auto e = value.substr(0, comma);
    while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) e.remove_prefix(1);
    while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) e.remove_suffix(1);
    if (!e.empty()) out.push_back(e);
    if (comma == std::string_view::npos) return out;
    value.remove_prefix(comma + 1);
  }
}

// What a request handed to the endpoints may look like, however it was sent.
void check_request(const HttpRequest& req, const sevu::HttpLimits& l) {
  if (req.method.empty() || req.target.empty()) fail("empty method or target");
  for (unsigned char c : req.target)
    if (c <= ' ' || c == 0x7f) fail("space or control character in the target");
  if (req.body.size() > l.max_body) fail("body over the limit");
  std::string length;
  for (const auto& [name, value] : req.headers) {
    if (name.empty()) fail("empty header name");
    for (unsigned char c : name)
      if (c <= ' ' || c == ':' || c == 0x7f) fail("bad character in a header name");
    for (unsigned char c : value)
      if (c == 0 || c == '\r' || c == '\n') fail("NUL or line break in a header value");
    if (ieq(name, "transfer-encoding"))
      for (auto coding : elements(value))
        if (!ieq(coding, "chunked")) fail("a coding other than chunked");
    if (ieq(name, "content-length")) {
      for (auto n : elements(value)) {
        // Repeated lengths must be the same number ("0" and "000" are: RFC
        // 9112 6.3 lets a recipient take identical decimal values as one, and
        // Beast compares them as numbers).
        const auto digits = n.find_first_not_of('0');
        const std::string number(digits == std::string_view::npos ? "0" : n.substr(digits));
        if (!length.empty() && length != number) fail("two different lengths");
        length = number;
      }
    }
  }
}

// The last outcome on a connection: one answer then a close, or a close.
std::vector<std::string> ended(std::vector<std::string> out, const ReadEvent& event) {
  if (event.kind == ReadEvent::close) {
    out.emplace_back("close");
    return out;
  }
  if (event.kind != ReadEvent::refuse) fail("the stream ended with neither a refusal nor a close");
  if (event.status != 400 && event.status != 413 && event.status != 431 && event.status != 501)
    fail("unexpected refusal status");
  out.push_back("refuse " + std::to_string(event.status));
  return out;
}

// Feeds `wire` in reads of `step` bytes and records each outcome: a request's
// method, target and body, "refuse <status>", or "close".
std::vector<std::string> run(std::string_view wire, std::size_t step) {
  const auto l = limits();
  RequestReader reader(l);
  std::vector<std::string> out;
  std::string buffer;
  std::size_t offset = 0;
  bool header_seen = false;
  // Every pass either takes input, finishes a request, or ends: more is a loop
  // the connection would spin in for ever.
  for (std::size_t passes = 0; passes < 4 * wire.size() + 16; ++passes) {
    std::size_t used = 0;
    auto event = reader.feed(buffer, used);
    if (used > buffer.size()) fail("consumed more than it was given");
    buffer.erase(0, used);
    switch (event.kind) {
      case ReadEvent::more:
        if (offset >= wire.size()) return ended(std::move(out), reader.end_of_stream(buffer));
        buffer.append(wire.substr(offset, step));
        offset += step;
        break;
      case ReadEvent::header:
        if (header_seen) fail("a second header event for one request");
        header_seen = true;
        break;
      case ReadEvent::refuse:
      case ReadEvent::close:
        return ended(std::move(out), event);
      case ReadEvent::request: {
        bool keep = reader.keep_alive();
        auto req = reader.take();
        check_request(req, l);
        out.push_back(req.method + ' ' + req.target + ' ' + req.body);
        if (!keep) return out;
        reader.start();
        header_seen = false;
        break;
      }
    }
  }
  fail("no progress");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t step = data[0] % 16 + 1;
  auto whole = run(wire, wire.size() + 1);
  auto split = run(wire, step);
  if (whole != split) {
    for (const auto& o : whole) std::fprintf(stderr, "in one read: %s\n", o.c_str());
    for (const auto& o : split) std::fprintf(stderr, "in reads of %zu: %s\n", step, o.c_str());
    fail("the outcome depends on how reads split");
  }
  return 0;
}

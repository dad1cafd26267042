// RequestReader: what a connection does with the bytes a client sends. Valid
// requests come out whole however the bytes are split; malformed ones are
// refused with 400 (RFC 9112), unknown transfer codings with 501, oversized
// ones with 413/431; a stream that ends mid-request is closed without a word.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/request_reader.hpp"

namespace {

using sevu::HttpLimits;
using sevu::http::ReadEvent;
using sevu::http::RequestReader;

// Feeds `wire` in pieces of `step` bytes, as a connection does, and describes
// each outcome: "GET /path body" for a request, "refuse 400" for a refusal,
// "close" when the stream ends with nothing to answer.
std::vector<std::string> outcomes(const std::string& wire, std::size_t step = 1 << 20) {
  HttpLimits limits;
  limits.max_body = 64;
  limits.max_header = 256;
  RequestReader reader(limits);
  std::vector<std::string> out;
  std::string buffer;
  std::size_t offset = 0;
  for (;;) {
    std::size_t used = 0;
    auto event = reader.feed(buffer, used);
    buffer.erase(0, used);
    if (event.kind == ReadEvent::more && offset < wire.size()) {
      buffer += wire.substr(offset, step);
      offset += step;
      continue;
    }
    if (event.kind == ReadEvent::more) event = reader.end_of_stream(buffer);
    if (event.kind == ReadEvent::header) continue;
    if (event.kind == ReadEvent::refuse) out.push_back("refuse " + std::to_string(event.status));
    if (event.kind == ReadEvent::close) out.push_back("close");
    if (event.kind != ReadEvent::request) return out;
    bool keep = reader.keep_alive();
    auto req = reader.take();
    out.push_back(req.method + " " + req.target + " " + req.body);
    if (!keep) return out;
    reader.start();
  }
}

std::string post(const std::string& headers, const std::string& body = "") {
  return "POST /hooks/check HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
}

}  // namespace

TEST_CASE("valid requests come out whole however the bytes arrive") {
  std::string wire = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" +
                     post("Content-Length: 3\r\n", "abc") +
                     post("Transfer-Encoding: chunked\r\n", "2\r\nab\r\n1;x=y\r\nc\r\n0\r\n\r\n") +
                     "POST /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\nZ";
  std::vector<std::string> expected{"GET /healthz ", "POST /hooks/check abc",
                                    "POST /hooks/check abc", "POST /last Z"};
  for (std::size_t step : {1, 2, 3, 7, 1000}) {
    CAPTURE(step);
    CHECK(outcomes(wire, step) == expected);
  }
  // Identical repeated lengths are one length (RFC 9112 6.3).
  CHECK(outcomes(post("Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n", "ab")) ==
        std::vector<std::string>{"POST /hooks/check ab"});
}

TEST_CASE("malformed framing and syntax are refused with 400") {
  std::string bad[] = {
      "Content-Length: -1\r\n",
      "Content-Length: 100000000000000000000\r\n",
      "Content-Length: 2\r\nContent-Length: 3\r\n",
      "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
      "Transfer-Encoding: chunked, chunked\r\n",
      "Transfer-Encoding: chunked;x=1\r\n",
      "Transfer-Encoding: ,\r\n",
      std::string("X-Nul: a\0b\r\n", 12),
      "X-Space : b\r\n",
  };
  for (const auto& headers : bad) {
    CAPTURE(headers);
    CHECK(outcomes(post(headers, "abc")) == std::vector<std::string>{"refuse 400"});
  }
  for (std::string chunks : {"zz\r\nabc\r\n0\r\n\r\n", "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
                             "-1\r\nabc\r\n0\r\n\r\n", "3\r\nabcX0\r\n\r\n"}) {
    CAPTURE(chunks);
    CHECK(outcomes(post("Transfer-Encoding: chunked\r\n", chunks)) ==
          std::vector<std::string>{"refuse 400"});
  }
  // A chunked body's lines end in CRLF: a bare LF, or a line longer than a
  // header may be (256 here), is refused at once, whole or byte by byte,
  // rather than waited on until the slow-client timeout.
  for (const std::string& chunks :
       std::vector<std::string>{"2\n{}\n0\n\n", "2\r\n{}\r\n0\nX: y\n\n",
                                "1;" + std::string(300, 'a'), std::string(300, '1')}) {
    CAPTURE(chunks);
    for (std::size_t step : {1, 1000}) {
      CHECK(outcomes(post("Transfer-Encoding: chunked\r\n", chunks), step) ==
            std::vector<std::string>{"refuse 400"});
    }
  }
  // Trailers, CRLF-ended, still read byte by byte.
  CHECK(outcomes(post("Transfer-Encoding: chunked\r\nConnection: close\r\n",
                      "2\r\nab\r\n0\r\nX-Trailer: 1\r\n\r\n"),
                 1) == std::vector<std::string>{"POST /hooks/check ab"});
  for (std::string line : {"GET / HTTP/1.2", "GET / HTTP/2.0", "GET / HTTP/0.9", "GET / http/1.1",
                           "\x01\x02 garbage", "GET /a b HTTP/1.1", "GET healthz HTTP/1.1",
                           "GET * HTTP/1.1", "GET ://x/ HTTP/1.1", "GET ftp://x/ HTTP/1.1"}) {
    CAPTURE(line);
    CHECK(outcomes(line + "\r\nHost: x\r\n\r\n") == std::vector<std::string>{"refuse 400"});
  }
  // Every form RFC 9112 gives a target, where its method allows it, is read.
  for (std::string request :
       {"GET /healthz", "GET http://x/healthz", "GET HTTPS://x/", "OPTIONS *"}) {
    CAPTURE(request);
    CHECK(outcomes(request + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
          std::vector<std::string>{request + " "});
  }
  // HTTP/1.0 has no chunking: its framing is faulty (RFC 9112 6.1).
  CHECK(outcomes("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") ==
        std::vector<std::string>{"refuse 400"});
}

TEST_CASE("transfer codings other than chunked are refused with 501") {
  for (std::string te : {"gzip, chunked", "gzip", "identity", "chunked, gzip"}) {
    CAPTURE(te);
    CHECK(outcomes(post("Transfer-Encoding: " + te + "\r\n", "0\r\n\r\n")) ==
          std::vector<std::string>{"refuse 501"});
  }
  CHECK(outcomes(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")) ==
        std::vector<std::string>{"refuse 501"});
  CHECK(outcomes(post("Transfer-Encoding: Chunked\r\nConnection: close\r\n", "0\r\n\r\n")) ==
        std::vector<std::string>{"POST /hooks/check "});
}

TEST_CASE("oversized requests keep 413 and 431; a stream cut short is closed silently") {
  CHECK(outcomes(post("Content-Length: 65\r\n")) == std::vector<std::string>{"refuse 413"});
  CHECK(outcomes(post("Transfer-Encoding: chunked\r\n", "41\r\n" + std::string(65, 'a'))) ==
        std::vector<std::string>{"refuse 413"});
  CHECK(outcomes(post("X-Big: " + std::string(300, 'a') + "\r\n")) ==
        std::vector<std::string>{"refuse 431"});
  CHECK(outcomes("") == std::vector<std::string>{"close"});
  CHECK(outcomes("GET / HTTP/1.1\r\nHo") == std::vector<std::string>{"close"});
  CHECK(outcomes(post("Content-Length: 5\r\n", "ab")) == std::vector<std::string>{"close"});
}

TEST_CASE("a malformed or oversized header is judged the same however it is split") {
  // Beast waits for the end of a header it has asked more of; the reader still
  // finds the error when the stream ends or the header limit is reached.
  for (std::size_t step : {1, 3, 1000}) {
    CAPTURE(step);
    CHECK(outcomes("22222\x02", step) == std::vector<std::string>{"refuse 400"});
    CHECK(outcomes("GET / HTTP/1.1\r\nX A: b\r\n", step) == std::vector<std::string>{"refuse 400"});
    CHECK(outcomes("22222\x02" + std::string(600, 'a'), step) ==
          std::vector<std::string>{"refuse 400"});
    CHECK(outcomes("GET /" + std::string(600, 'a'), step) == std::vector<std::string>{"refuse 431"});
    // Found by fuzz_http: a bare LF inside the size limit, more bytes after it.
    CHECK(outcomes("GET /a HTTP/1.0\r\nX: " + std::string(200, 'b') + "\n\r\n" + std::string(100, 'c'),
                   step) == std::vector<std::string>{"refuse 400"});
  }
  // The limit counts the whole header, request line included, however it arrives.
  std::string fits = "GET /" + std::string(256 - 37, 'a') + " HTTP/1.1\r\nConnection: close\r\n\r\n";
  REQUIRE(fits.size() == 256);
  for (std::size_t step : {1, 1000}) {
    CAPTURE(step);
    CHECK(outcomes(fits, step).size() == 1);
    CHECK(outcomes(fits, step)[0].rfind("GET /aaa", 0) == 0);
    CHECK(outcomes("GET /a" + fits.substr(5), step) == std::vector<std::string>{"refuse 431"});
  }
}

TEST_CASE("a request after a valid one is judged on its own") {
  CHECK(outcomes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.2\r\n\r\n", 5) ==
        std::vector<std::string>{"GET /a ", "refuse 400"});
}

// Turns the bytes a client sends into requests. The one place that decides, for
// whatever arrives, whether there is a request to hand on, an error to answer
// before closing (400, 413, 431, 501: docs/operations.md, "Connection limits and
// malformed requests"), or nothing to do but close. It does no I/O: a connection
// feeds it what the socket reads, fuzz/fuzz_http.cpp feeds it arbitrary bytes.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_message.hpp"
#include "http/server.hpp"

namespace sevu::http {

struct ReadEvent {
  enum Kind {
    more,     // needs more bytes, or the end of the stream
    header,   // a valid header whose body is still to come (once per request)
    request,  // a whole, valid request: take() it
    refuse,   // answer `status` with a JSON error, then close
    close,    // close without an answer (the parser says the stream ended)
  };
  ReadEvent(Kind k = more, int s = 0, std::string_view c = {}, std::string m = {})
      : kind(k), status(s), code(c), message(std::move(m)) {}
  Kind kind;
  int status;  // for refuse: the answer's status, JSON error code and message
  std::string_view code;
  std::string message;
};

class RequestReader {
 public:
  explicit RequestReader(const HttpLimits& limits);

  void start();  // expect a new request; bytes not yet consumed stay with the caller

  // Parses from `data` and sets `used` to the bytes consumed; the rest must be
  // offered again, with more appended, on the next call (an unfinished header
  // is consumed only once it is whole). After a request, take()
  // it and start() again; after a refusal, answer and close.
  ReadEvent feed(std::string_view data, std::size_t& used);
  // The client ended its stream while the reader wanted more; `unconsumed` is
  // what it was last offered. A refusal (the part received is already
  // malformed) or a close.
  ReadEvent end_of_stream(std::string_view unconsumed) const;

  bool expects_continue() const;  // the client waits for "100 Continue" before its body
  // The request, once feed() said so. version/keep_alive/head describe it.
  HttpRequest take();

  unsigned version() const { return version_; }
  bool keep_alive() const { return keep_alive_; }
  bool head() const { return head_; }

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  ReadEvent feed_header(std::string_view data, std::size_t& used);
  ReadEvent too_large(std::string_view head) const;
  ReadEvent on_header();
  std::optional<ReadEvent> early_error(std::string_view head) const;

  const HttpLimits& limits_;
  std::optional<Parser> parser_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool header_seen_ = false;
  std::size_t held_ = 0;  // bytes of an unfinished header the parser has taken
};

// What a parse error means for the client: 431, 413, 400, or a silent close
// (the stream ended). Exposed for the tests.
ReadEvent event_for(boost::beast::error_code ec);

// Transfer-Encoding values (every field line, in order) of an HTTP/1.1 request:
// nullopt when they frame the body as chunked, else the refusal (501 for a
// coding this server does not implement, 400 for a malformed list).
std::optional<ReadEvent> check_transfer_encoding(const std::vector<std::string_view>& values);

}  // namespace sevu::http

#include "http/request_reader.hpp"

#include <boost/beast/core/string.hpp>

#include <iterator>

#include "core/text.hpp"

namespace sevu::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

ReadEvent refusal(int status, std::string_view code, std::string message) {
  return ReadEvent(ReadEvent::refuse, status, code, std::move(message));
}

ReadEvent bad_request(std::string message) {
  return refusal(400, "BAD_REQUEST", "malformed request: " + std::move(message));
}

// RFC 9112 3.2: a request target is origin-form ("/path?query"), absolute-form
// ("http://host/path", which a server must accept), authority-form (CONNECT
// only) or "*" (OPTIONS only). Anything else is a broken request line: 400
// (docs/operations.md), where Beast would hand "healthz" on to be routed as an
// unknown path.
bool target_has_a_form(std::string_view target, bhttp::verb method) {
  if (!target.empty() && target.front() == '/') return true;
  if (target == "*") return method == bhttp::verb::options;
  const auto scheme = target.find("://");
  return scheme != std::string_view::npos && scheme > 0 &&
         (iequals(target.substr(0, scheme), "http") || iequals(target.substr(0, scheme), "https"));
}

// Beast takes a chunked body's lines (a chunk's size line, the trailers) only
// once their CRLF has come, and waits for it until the slow-client timeout: a
// line ended by a bare LF, or longer than a whole header may be, held the
// connection 30 s and closed it without an answer. RFC 9112 7.1 ends each
// line with CRLF: such framing is malformed, 400 at once (docs/operations.md).
// `pending` is what Beast left unconsumed; chunk data itself it always takes.
std::optional<ReadEvent> unended_chunk_line(std::string_view pending, std::size_t max_line) {
  for (auto lf = pending.find('\n'); lf != std::string_view::npos;
       lf = pending.find('\n', lf + 1)) {
    if (lf > 0 && pending[lf - 1] != '\r')
      return bad_request("chunked body line not ended by CRLF");
  }
  if (pending.size() > max_line) return bad_request("chunked body line too long");
  return std::nullopt;
}

}  // namespace

ReadEvent event_for(beast::error_code ec) {
  if (ec == bhttp::error::header_limit)
    return refusal(431, "HEADER_TOO_LARGE", "request header too large");
  if (ec == bhttp::error::body_limit)
    return refusal(413, "PAYLOAD_TOO_LARGE", "request body too large");
  // The stream ended before or inside a request: nobody is left to read an answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return ReadEvent::close;
  // Everything else the parser reports is a malformed message (RFC 9112: 400, then close).
  return bad_request(ec.message());
}

std::optional<ReadEvent> check_transfer_encoding(const std::vector<std::string_view>& values) {
  // Only a list ending in one plain "chunked" frames a request body; Beast reads
  // "gzip, chunked" as chunked, so every other coding is refused here.
  std::size_t codings = 0;  // every one of them "chunked", or we have returned
  for (auto value : values) {
    for (;;) {
      auto comma = value.find(',');
      auto element = trim(value.substr(0, comma));
      if (!element.empty()) {
        auto name = trim(element.substr(0, element.find(';')));
        if (!iequals(name, "chunked"))
          return refusal(501, "NOT_IMPLEMENTED", "transfer coding not implemented: only chunked");
        if (name.size() != element.size()) return bad_request("chunked takes no parameters");
        ++codings;
      }
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (codings == 0) return bad_request("empty Transfer-Encoding");
  if (codings > 1) return bad_request("chunked applied twice");
  return std::nullopt;
}

RequestReader::RequestReader(const HttpLimits& limits) : limits_(limits) {
  start();
}

void RequestReader::start() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header));
  parser_->body_limit(limits_.max_body);
  version_ = 11;
  keep_alive_ = false;
  head_ = false;
  header_seen_ = false;
  held_ = 0;
}

ReadEvent RequestReader::feed(std::string_view data, std::size_t& used) {
  used = 0;
  if (!header_seen_) return feed_header(data, used);
  while (used < data.size()) {
    beast::error_code ec;
    auto n = parser_->put(beast::net::const_buffer(data.data() + used, data.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      if (!parser_->chunked()) return {};
      return unended_chunk_line(data.substr(used), limits_.max_header).value_or(ReadEvent{});
    }
    if (ec) return event_for(ec);
    if (parser_->is_done()) return ReadEvent::request;
    if (n == 0) return {};  // no progress without more input
  }
  return {};
}

// Beast consumes a header line by line, but the caller keeps every byte of it
// until it is whole (`held_` of them already parsed), so that early_error()
// can see all of them. The whole header must fit in max_header bytes, however
// it arrives (Beast alone counts the request line apart when it comes in one
// piece, and with it when it does not).
ReadEvent RequestReader::feed_header(std::string_view data, std::size_t& used) {
  auto head = data.substr(0, limits_.max_header);
  while (held_ < head.size()) {
    beast::error_code ec;
    auto n = parser_->put(beast::net::const_buffer(head.data() + held_, head.size() - held_), ec);
    held_ += n;
    if (ec == bhttp::error::need_more || (!ec && n == 0)) break;
    if (ec == bhttp::error::header_limit) return too_large(head);
    if (ec) return event_for(ec);
    if (parser_->is_header_done()) {
      used = held_;
      header_seen_ = true;
      return on_header();
    }
  }
  if (data.size() >= limits_.max_header) return too_large(head);
  return {};
}

ReadEvent RequestReader::too_large(std::string_view head) const {
  if (auto error = early_error(head)) return *error;
  return event_for(bhttp::error::header_limit);
}

ReadEvent RequestReader::end_of_stream(std::string_view unconsumed) const {
  if (!header_seen_ && !unconsumed.empty()) {
    if (auto error = early_error(unconsumed.substr(0, limits_.max_header))) return *error;
  }
  return ReadEvent::close;
}

// Once Beast has asked for more of a header it waits for the header's end (or
// the limit) before it looks at the bytes again, so a malformed request line
// sent in pieces would end as 431 or a silent close, where one read gives 400.
// Parsing the incomplete header afresh, once, finds what one read would.
std::optional<ReadEvent> RequestReader::early_error(std::string_view head) const {
  Parser fresh;
  fresh.header_limit(static_cast<std::uint32_t>(limits_.max_header));
  beast::error_code ec;
  fresh.put(beast::net::const_buffer(head.data(), head.size()), ec);
  if (!ec || ec == bhttp::error::need_more || ec == bhttp::error::header_limit) return std::nullopt;
  return event_for(ec);
}

// Beast has accepted the header; refuse what it lets through and RFC 9112 does not.
ReadEvent RequestReader::on_header() {
  const auto& msg = parser_->get();
  version_ = msg.version();
  keep_alive_ = msg.keep_alive();
  head_ = msg.method() == bhttp::verb::head;
  if (!target_has_a_form(std::string_view(msg.target().data(), msg.target().size()), msg.method()))
    return bad_request("the request target is no path");
  std::vector<std::string_view> te;
  auto [te_begin, te_end] = msg.equal_range(bhttp::field::transfer_encoding);
  for (auto it = te_begin; it != te_end; ++it) te.emplace_back(it->value().data(), it->value().size());
  if (!te.empty()) {
    // HTTP/1.0 has no chunking: such a message's framing is faulty (RFC 9112 6.1).
    if (version_ < 11) return bad_request("Transfer-Encoding in an HTTP/1.0 request");
    if (auto refused = check_transfer_encoding(te)) return *refused;
    if (!parser_->chunked()) return bad_request("bad Transfer-Encoding");
  }
  auto len = parser_->content_length();
  if (len && *len > limits_.max_body) return event_for(bhttp::error::body_limit);
  if (parser_->is_done()) return ReadEvent::request;
  return ReadEvent::header;
}

bool RequestReader::expects_continue() const {
  return header_seen_ && !parser_->is_done() &&
         beast::iequals(parser_->get()[bhttp::field::expect], "100-continue");
}

HttpRequest RequestReader::take() {
  auto req = parser_->release();
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  // Reserved once: growing one field at a time moved every pair already read,
  // about 3 % of a refused start's instructions (docs/performance.md).
  out.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
  for (const auto& f : req) out.headers.emplace_back(f.name_string(), f.value());
  out.body = std::move(req.body());
  return out;
}

}  // namespace sevu::http

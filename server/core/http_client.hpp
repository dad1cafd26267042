// An outbound HTTP/1.1 call as plain values, and the interface that sends it.
// The parts that tell a media server something (app/session_kicker) describe
// the call here; server/http/ sends it with Beast on its io threads
// (http/http_client.hpp), and server/main.cpp joins the two. Like
// http_message.hpp, free of Beast/Asio.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/http_message.hpp"

namespace sevu {

struct OutboundCall {
  std::string host;  // an IP address or a name to resolve
  uint16_t port = 80;
  HttpRequest request;  // method, target, headers (Host is added), body; remote_ip unused
  std::chrono::milliseconds timeout{2000};  // the whole exchange: resolve, connect, write, read
};

// The answer (any status), or none and why not (refused, timed out, malformed).
struct OutboundResult {
  std::optional<HttpResponse> response;
  std::string error;  // when there is no response: never holds a header or a credential
};

using OutboundDone = std::function<void(OutboundResult)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // From any thread; never blocks. done hears exactly once, on an io thread,
  // unless the server stops first (then it is dropped unheard).
  virtual void send(OutboundCall call, OutboundDone done) = 0;
};

}  // namespace sevu

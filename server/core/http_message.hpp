// Plain request/response values handed between the http layer and the APIs.
// They live in core, free of Beast/Asio, so that every API part can build
// replies without depending on server/http/ (the only code that sees Beast).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sevu {

// Runs a task on one thread: a connection's (HttpRequest::on_own_thread).
using OwnThread = std::function<void(std::function<void()>)>;

// A callback a store thread calls, made to run on the thread `hop` stands for:
// its argument moves into the hop, the callback with it (it is heard once).
// Without a hop, `done` itself: it runs on whichever thread calls it.
template <class Arg>
std::function<void(Arg)> heard_through(const OwnThread& hop, std::function<void(Arg)> done) {
  if (!hop) return done;
  return [hop, done = std::move(done)](Arg arg) mutable {
    hop([done = std::move(done), arg = std::move(arg)]() mutable { done(std::move(arg)); });
  };
}

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path + query as received, e.g. "/v2/sevu_token?limit=5"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;  // peer address, IPv6 text for v6 peers
  // Runs a task on the thread of this request's connection: at once when
  // called there, else queued to it. Set by the http layer; empty (the task
  // runs in place) for a request built by hand. A grant decided on the store's
  // writer is answered through it, on the io thread, rather than on the writer
  // every grant waits on (docs/performance.md, "Answers written without a hop,
  // grants answered on their own thread").
  OwnThread on_own_thread;

  // First header with this name, compared case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view path() const;   // target before '?'
  std::string_view query() const;  // target after '?', empty if none
  // The method a route answers: HEAD is GET whose body the http layer leaves
  // out (RFC 9110: a server that answers GET answers HEAD).
  std::string_view routed_method() const {
    return method == "HEAD" ? std::string_view("GET") : std::string_view(method);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Called exactly once, from any thread; the http layer hops back to the connection.
using Responder = std::function<void(HttpResponse)>;
// An endpoint. It must not block: slow work goes to the store pool.
using Handler = std::function<void(HttpRequest&&, Responder)>;

// The one JSON error body, {"error": code, "message": message, "field": field},
// field null when empty (docs/v2-api.md, Errors; the hooks and ops routes too).
HttpResponse json_error(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});

// GET or HEAD: a method that only reads (HEAD is GET without the body).
bool is_read_method(std::string_view method);

// 405 METHOD_NOT_ALLOWED in that body, with the Allow header listing `allow`.
HttpResponse method_not_allowed(std::string_view allow, std::string_view message);

// 400 INVALID_JSON when the body is nested deeper than the one depth limit,
// which every route refuses, one that reads no body too (docs/decisions.md);
// nullopt otherwise.
std::optional<HttpResponse> too_deep_refusal(const HttpRequest& req);

}  // namespace sevu

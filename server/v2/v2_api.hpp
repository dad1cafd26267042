// The v2 object API: /v2/sevu_token and /v2/sevu_attempt, and the viewer limit
// and session routes under /v2/sevu_token/{key}/ (docs/v2-api.md).
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "store/store.hpp"

namespace sevu {

class V2Api {
 public:
  // Told of the viewing sessions a request ended (DELETE …/sessions), after
  // they are ended in the store and before the answer goes; on the store
  // worker that ran the request.
  using SessionsEnded = std::function<void(const std::vector<ViewingSession>&)>;

  // errors: where a 5xx this API answers itself is counted and logged (any
  // other exception leaves handle() for the caller to report).
  V2Api(const Clock& clock, ErrorSink& errors, SessionsEnded sessions_ended = {})
      : clock_(clock), errors_(errors), sessions_ended_(std::move(sessions_ended)) {}

  // Runs on a store worker: Basic auth, routing, validation, the store work.
  HttpResponse handle(const HttpRequest& req, Store& store);

  // A GET only reads: its account and what it asks for are read together
  // (one read transaction on SQLite, docs/performance.md), and it may share
  // that transaction with the GETs queued beside it (StorePool::submit_read).
  static bool only_reads(const HttpRequest& req) { return req.routed_method() == "GET"; }

 private:
  HttpResponse answer(const HttpRequest& req, Store& store);  // handle() less its error answers

  const Clock& clock_;
  ErrorSink& errors_;
  SessionsEnded sessions_ended_;
};

}  // namespace sevu

// The v2 object API: /v2/sevu_token and /v2/sevu_attempt (docs/v2-api.md).
#pragma once

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "store/store.hpp"

namespace sevu {

class V2Api {
 public:
  // errors: where a 5xx this API answers itself is counted and logged (any
  // other exception leaves handle() for the caller to report).
  V2Api(const Clock& clock, ErrorSink& errors) : clock_(clock), errors_(errors) {}

  // Runs on a store worker: Basic auth, routing, validation, the store work.
  HttpResponse handle(const HttpRequest& req, Store& store);

 private:
  const Clock& clock_;
  ErrorSink& errors_;
};

}  // namespace sevu

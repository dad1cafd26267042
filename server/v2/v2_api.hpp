// The v2 object API: /v2/sevu_token and /v2/sevu_attempt (SPEC §3).
#pragma once

#include "core/clock.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace sevu {

class V2Api {
 public:
  explicit V2Api(const Clock& clock) : clock_(clock) {}

  // Runs on a store worker: Basic auth, routing, validation, the store work.
  HttpResponse handle(const HttpRequest& req, Store& store);

 private:
  const Clock& clock_;
};

}  // namespace sevu

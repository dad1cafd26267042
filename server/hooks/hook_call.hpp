// What an adapter makes of one media-server request: either an answer it can
// give by itself (a malformed call, an event that needs no decision), or a
// question for the usher service and the way its decision goes back on this
// media server's wire.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "core/http_message.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

using EncodeDecision = HttpResponse (*)(const UsherDecision&);
// For a media server told how long its client may stay (OvenMediaEngine's
// lifetime): also hears `now`, the ticket time (the usher's clock) it answers at.
using EncodeDecisionAt = HttpResponse (*)(const UsherDecision&, int64_t now);

struct HookCall {
  std::optional<HttpResponse> answer;    // set: answered without the usher
  UsherRequest request;                  // else: ask the usher this,
  EncodeDecision encode = nullptr;       // and encode its decision so,
  EncodeDecisionAt encode_at = nullptr;  // or so

  static HookCall answered(HttpResponse r) {
    HookCall c;
    c.answer = std::move(r);
    return c;
  }
  static HookCall ask(UsherRequest&& req, EncodeDecision encode) {
    HookCall c;
    c.request = std::move(req);
    c.encode = encode;
    return c;
  }
  static HookCall ask(UsherRequest&& req, EncodeDecisionAt encode_at) {
    HookCall c;
    c.request = std::move(req);
    c.encode_at = encode_at;
    return c;
  }
};

}  // namespace sevu::hooks

// Answers shared by the adapters.
#pragma once

#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

HttpResponse plain_reply(int status, std::string body = "");
// {"allowed":bool,"reason":"...","uses_left":N (when known)} with this status.
HttpResponse decision_reply(int status, const UsherDecision& decision);
// 400: the media server's request could not be read. Denies in every protocol.
HttpResponse malformed(std::string_view problem);
// A refusal the adapter makes itself, with its reason, as decision_reply shows it.
UsherDecision refused(std::string reason);

}  // namespace sevu::hooks

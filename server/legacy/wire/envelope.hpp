// The legacy reply: one JSON object
//   {"status": "success"|"failure", "code": N, "message": "...", <payload>,
//    "handle_time": "0.0004 seconds"}
// always sent with HTTP 200 (legacy clients read `status`, not the HTTP status).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/json_util.hpp"
#include "legacy/wire/codes.hpp"

namespace sevu::legacy {

struct Reply {
  Code code = Code::kUnexpectedError;
  std::string message;
  // Writes the command's payload members (e.g. "ticket": {...}); may be empty.
  std::function<void(JsonWriter&)> payload;
  // The same members already written out as one JSON object ("{...}"), when a
  // signed write kept them for its repeats: the envelope copies them instead of
  // writing them again. Empty: written by `payload`.
  std::string payload_text;
};

// The payload members as one JSON object, "{}" when there are none.
std::string render_payload(const Reply& r);

// The table message for code.
Reply reply(Code code);
// The table message followed by ": " and detail ("... missing: app, video"),
// or for a verbatim code the bare message with detail in a "detail" member.
Reply reply(Code code, std::string_view detail);

// "0.0004 seconds": 4 decimals, never negative.
std::string format_handle_time(double seconds);

std::string render_envelope(const Reply& r, double handle_seconds);

}  // namespace sevu::legacy

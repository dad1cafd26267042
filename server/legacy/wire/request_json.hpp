// Parsing the legacy request JSON text into a document, refusing what would
// make its meaning ambiguous or its handling unsafe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "core/json_util.hpp"

namespace sevu::legacy {

struct ParsedRequest {
  bool ok = false;
  JsonDocument doc;  // an object when ok
  std::string problem;  // when !ok
};

// Accepts one JSON object as core's parse_json reads it (valid UTF-8, nested at
// most kMaxJsonDepth deep, no NUL bytes, numbers at full precision) that also
// has no escaped lone surrogate (PHP's json_decode refuses one) and no
// top-level member name occurring twice.
ParsedRequest parse_request_json(std::string_view text);

}  // namespace sevu::legacy

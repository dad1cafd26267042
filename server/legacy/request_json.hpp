// Parsing the legacy request JSON text into a document, refusing what would
// make its meaning ambiguous or its handling unsafe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace sevu::legacy {

constexpr int kMaxJsonDepth = 32;  // requests are flat; deep nesting is only ever an attack

struct ParsedRequest {
  bool ok = false;
  rapidjson::Document doc;  // an object when ok
  std::string problem;      // when !ok
};

// Accepts one JSON object of valid UTF-8 (escaped lone surrogates included in
// "invalid"), nested at most kMaxJsonDepth deep, without NUL bytes and without
// a top-level member name occurring twice. Numbers keep full precision.
ParsedRequest parse_request_json(std::string_view text);

}  // namespace sevu::legacy

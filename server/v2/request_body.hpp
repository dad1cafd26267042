// Reading a v2 request body: the content type, the JSON, the object shape.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

#include "core/http_message.hpp"

namespace sevu::v2 {

// True for the content types a JSON body may arrive with (decided): none at
// all, application/json, text/json, application/*+json, and the types curl and
// other tools pick for a raw body — application/x-www-form-urlencoded (curl
// --data-binary, as in the spec's own examples), text/plain, application/octet-stream.
bool is_json_content_type(std::string_view content_type);

// Parses the body into doc as one JSON object. Returns false when the body is
// empty (only whitespace) and allow_empty is set. Throws V2Error: 415
// UNSUPPORTED_MEDIA_TYPE for another content type, 400 INVALID_JSON for an
// empty body (unless allowed), malformed JSON or UTF-8, nesting deeper than
// kMaxJsonDepth (core/json_util.hpp), a non-object, or a member given twice.
bool read_json_object(const HttpRequest& req, rapidjson::Document& doc, bool allow_empty);

}  // namespace sevu::v2

// Reading what media servers send: form/query pairs, flat JSON objects of
// strings, and the credentials a viewer's or publisher's query carries.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <boost/container/small_vector.hpp>

#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// The FIRST value named `name`. Media servers put their own fields before the
// viewer's raw query, so the first occurrence is the one the server vouches for.
std::optional<std::string> first_value(const FormPairs& pairs, std::string_view name);

// Decodes a query string that may start with '?' ("?key=a&pass=b" or "key=a").
// A malformed escape ("pass=%zz") stays as it is, as PHP and nginx leave it:
// the viewer's query reaches us raw, and a viewer's typo is a refusal logged
// with its reason like any other, not a call that cannot be read
// (docs/hooks.md, "What is decided, what is logged").
FormPairs parse_query_text(std::string_view text);

// key, user and pass as `args` carry them; each one missing there is taken from
// the query of `connect_url` (RTMP's tcUrl, "rtmp://host/app?key=..&pass=.."),
// for players that put them in the connect URL instead of the stream's.
Credentials credentials_from(const FormPairs& args, std::string_view connect_url = {});

// The same from a query text (with or without its '?') that nothing else is
// read from: credentials_from(parse_query_text(text), connect_url), without
// decoding or copying the pairs that are not key, user or pass.
Credentials credentials_from_query(std::string_view text, std::string_view connect_url = {});

// The path and the query of a URL or of a request target:
// "scheme://host[:port]/a/b?x=1#f" and "/a/b?x=1" both give ("/a/b", "x=1");
// no path after the host gives "/".
struct UrlParts {
  std::string_view path, query;
};
UrlParts split_url(std::string_view url);

// The non-empty segments of a path: "//" collapses, as nginx merges slashes.
// Held in place up to eight, the depth of any media path met so far: an HLS
// segment's re-check splits its path on every request (docs/performance.md,
// "Credentials read in place").
using PathSegments = boost::container::small_vector<std::string_view, 8>;
PathSegments path_segments(std::string_view path);

// Parses body as a JSON object (core's parse_json: bounded depth, the client's
// bytes passed through); false, with the problem, for anything else.
bool parse_json_object(std::string_view body, rapidjson::Document& doc, std::string& problem);

// Copies each listed member of obj that is present into its string (absent or
// null members leave theirs as is); false, with the problem ("<where><name>: must
// be a string"), for a listed member that is no string.
bool read_member_strings(const rapidjson::Value& obj, std::string_view where,
                         std::initializer_list<std::pair<const char*, std::string*>> fields,
                         std::string& problem);

// Parses body as a JSON object (core's parse_json: bounded depth) and copies
// each listed member that is present into its string (absent or null members
// leave theirs as is). False, with the problem, for a body that is malformed,
// too deep or no object, or a listed member that is no string.
bool read_json_strings(std::string_view body,
                       std::initializer_list<std::pair<const char*, std::string*>> fields,
                       std::string& problem);

}  // namespace sevu::hooks

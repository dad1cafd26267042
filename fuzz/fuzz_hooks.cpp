// libFuzzer: every decoder of what media servers send the hook listener. The
// first byte picks the decoder (and, for auth_request, which override headers
// are set); the rest is the body, or the X-Original-URI for auth_request.
// Beyond not crashing: a JSON decoder that accepts a body has read it within
// the one depth limit (core/json_util.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "hooks/auth_request.hpp"
#include "hooks/wire_fields.hpp"
#include "hooks/generic_check.hpp"
#include "hooks/mediamtx.hpp"
#include "hooks/nginx_rtmp.hpp"
#include "hooks/ome.hpp"
#include "hooks/srs.hpp"

namespace {

// Brackets outside strings, as deep as they go: an accepted body stays within the limit.
int bracket_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

void json_decoded(bool accepted, std::string_view body) {
  if (accepted && bracket_depth(body) > sevu::kMaxJsonDepth) std::abort();
}

void auth_request(std::string_view uri, uint8_t variant) {
  sevu::HttpRequest req;
  req.method = "GET";
  req.target = "/hooks/auth-request";
  req.headers = {{"X-Original-URI", std::string(uri)}, {"X-Real-IP", "10.0.0.1"}};
  if (variant & 1) req.headers.emplace_back("X-Sevu-App", "demo-vod");
  if (variant & 2) req.headers.emplace_back("X-Sevu-Video", "sestore3/demo/a.mp4");
  std::string problem;
  sevu::hooks::decode_auth_request(req, problem);
}

// The adapters' whole entry points, as the hook API calls them on an io thread.
void adapter_calls(std::string_view body) {
  sevu::HttpRequest req;
  req.method = "POST";
  req.body = std::string(body);
  sevu::hooks::nginx_rtmp_call(req);
  sevu::hooks::srs_call(req);
  sevu::hooks::mediamtx_call(req);
  sevu::hooks::generic_check_call(req);
  sevu::hooks::ome_call(req, "");
  sevu::hooks::ome_call(req, "10.0.0.0/8|::1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string problem;
  switch (data[0] % 10) {
    case 0:
      sevu::hooks::decode_nginx_rtmp(body, problem);
      break;
    case 1:
      json_decoded(sevu::hooks::decode_srs(body, problem).has_value(), body);
      break;
    case 2:
      json_decoded(sevu::hooks::decode_mediamtx(body, problem).has_value(), body);
      break;
    case 3:
      json_decoded(sevu::hooks::decode_generic_check(body, problem).has_value(), body);
      break;
    case 4: {
      std::string a, b;
      json_decoded(sevu::hooks::read_json_strings(body, {{"key", &a}, {"param", &b}}, problem),
                   body);
      break;
    }
    case 5:
      auth_request(body, data[0] >> 3);
      break;
    case 6:
      sevu::hooks::parse_query_text(body);
      break;
    case 7:
      adapter_calls(body);
      break;
    case 8:
      json_decoded(sevu::hooks::decode_ome(body, problem).has_value(), body);
      break;
    default: {
      // Keeping bad escapes literally reads every text, and changes nothing of
      // a text that strict decoding reads.
      const auto strict = sevu::parse_query(body);
      const auto lenient = sevu::parse_query(body, sevu::BadEscape::kKeepLiteral);
      if (!lenient || (strict && *strict != *lenient)) std::abort();
    }
  }
  return 0;
}

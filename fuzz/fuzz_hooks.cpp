// libFuzzer: what media servers send the hook listener. The first byte picks
// the decoder; the rest is the body (or the X-Original-URI for auth_request).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/query_string.hpp"
#include "hooks/auth_request.hpp"
#include "hooks/mediamtx.hpp"
#include "hooks/nginx_rtmp.hpp"
#include "hooks/srs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string problem;
  switch (data[0] % 5) {
    case 0:
      sevu::hooks::decode_nginx_rtmp(body, problem);
      break;
    case 1:
      sevu::hooks::decode_srs(body, problem);
      break;
    case 2:
      sevu::hooks::decode_mediamtx(body, problem);
      break;
    case 3: {
      sevu::HttpRequest req;
      req.method = "GET";
      req.target = "/hooks/auth-request";
      req.headers = {{"X-Original-URI", std::string(body)}, {"X-Real-IP", "10.0.0.1"}};
      sevu::hooks::decode_auth_request(req, problem);
      break;
    }
    default:
      sevu::parse_query(body);
  }
  return 0;
}

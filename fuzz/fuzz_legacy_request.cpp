// libFuzzer: the legacy request path over untrusted bytes — body decoding by
// content type, JSON parsing, both signature forms. The first byte picks the
// content type; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "legacy/wire/form_body.hpp"
#include "legacy/wire/request_json.hpp"
#include "legacy/wire/signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kTypes[] = {"multipart/form-data; boundary=XyZ",
                                 "multipart/form-data; boundary=\"a b\"",
                                 "application/x-www-form-urlencoded", "application/json", ""};
  std::string_view type = kTypes[data[0] % 5];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto field = sevu::legacy::extract_request_json(type, body);
  std::string_view text = field.ok ? std::string_view(field.value) : body;
  auto parsed = sevu::legacy::parse_request_json(text);
  sevu::legacy::textual_forms(text);
  return 0;
}

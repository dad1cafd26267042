// libFuzzer: the one datetime parser (core/datetime), which reads every date a
// client sends. The first 8 bytes are "now" (clamped into the valid range when
// the 9th byte is even, else as given); the rest is the text. Beyond not
// crashing: every accepted date lies in 1970..9999 and survives the wire
// format unchanged, and nothing is ever written outside that range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/datetime.hpp"

namespace {

void check_written(int64_t t) {
  const std::string text = sevu::format_datetime(t);
  if (text.size() != 19) std::abort();
  if (t == 0) return;  // "0000-00-00 00:00:00": never
  if (text < "1970" || text > "9999-12-31 23:59:59") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  int64_t now = 0;
  std::memcpy(&now, data, sizeof now);
  if (data[8] % 2 == 0) {
    now = now < 0 ? -(now + 1) : now;
    now %= sevu::kMaxDatetime + 1;
  }
  check_written(now);
  std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);

  const auto t = sevu::parse_datetime(text, now);
  if (!t) return 0;
  if (*t < sevu::kMinDatetime || *t > sevu::kMaxDatetime) std::abort();
  check_written(*t);
  if (*t != 0 && sevu::parse_datetime(sevu::format_datetime(*t), now) != t) std::abort();
  if (sevu::parse_datetime("@" + std::to_string(*t), now) != t) std::abort();
  return 0;
}

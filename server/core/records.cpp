#include "core/records.hpp"

#include <limits>

#include "core/text.hpp"

namespace sevu {

namespace {

constexpr std::size_t kAttemptDigits = 16;

}  // namespace

std::string attempt_session_id(int64_t attempt_id) {
  std::string id(kAttemptSessionPrefix);
  id.resize(kAttemptSessionPrefix.size() + kAttemptDigits);
  put_hex_digits(id.data() + kAttemptSessionPrefix.size(), static_cast<uint64_t>(attempt_id),
                 static_cast<int>(kAttemptDigits));
  return id;
}

std::optional<int64_t> attempt_of_session(const std::string& session_id) {
  const std::string_view id(session_id);
  if (id.size() != kAttemptSessionPrefix.size() + kAttemptDigits ||
      id.substr(0, kAttemptSessionPrefix.size()) != kAttemptSessionPrefix)
    return std::nullopt;
  uint64_t n = 0;
  for (const char c : id.substr(kAttemptSessionPrefix.size())) {
    const int digit = hex_value(c);
    if (digit < 0) return std::nullopt;
    n = n * 16 + static_cast<uint64_t>(digit);
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  const auto attempt = static_cast<int64_t>(n);
  if (attempt_session_id(attempt) != session_id) return std::nullopt;  // one spelling per row
  return attempt;
}

}  // namespace sevu

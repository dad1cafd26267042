// Member lookups that never assert: rapidjson's FindMember asserts on a
// non-object, so every helper checks the shape first.
#include "core/json_util.hpp"

#include <cstdint>

namespace sevu {

namespace {

const rapidjson::Value* find(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// Legacy clients send ids such as "cdn" as strings; 18 digits always fit int64.
constexpr std::size_t kMaxDigitString = 18;

std::optional<int64_t> parse_digit_string(const char* s, std::size_t n) {
  if (n == 0 || n > kMaxDigitString) return std::nullopt;
  int64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::string> string_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> int_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  if (v == nullptr) return std::nullopt;
  // IsInt64 also holds for unsigned values that fit; 5.0 is a double, not an integer.
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) return parse_digit_string(v->GetString(), v->GetStringLength());
  return std::nullopt;
}

bool has_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  return v != nullptr && !v->IsNull();
}

bool read_optional_string(const rapidjson::Value& obj, const char* name, std::string& out) {
  if (!has_member(obj, name)) return true;
  auto v = string_member(obj, name);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

}  // namespace sevu

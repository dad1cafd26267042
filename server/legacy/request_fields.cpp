#include "legacy/request_fields.hpp"

#include "core/json_util.hpp"

namespace sevu::legacy {

const rapidjson::Value* given_field(const rapidjson::Value& request, const char* name) {
  if (!request.IsObject()) return nullptr;
  auto it = request.FindMember(name);
  if (it == request.MemberEnd() || it->value.IsNull()) return nullptr;
  if (it->value.IsString() && it->value.GetStringLength() == 0) return nullptr;
  return &it->value;
}

std::vector<std::string> missing_fields(const rapidjson::Value& request,
                                        const std::vector<RequiredField>& required) {
  std::vector<std::string> missing;
  for (const auto& f : required) {
    bool given = given_field(request, f.name) != nullptr ||
                 (f.alias != nullptr && given_field(request, f.alias) != nullptr);
    if (!given) missing.emplace_back(f.name);
  }
  return missing;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::optional<int64_t> integer_value(const rapidjson::Value& v) {
  if (v.IsInt64()) return v.GetInt64();
  if (!v.IsString()) return std::nullopt;
  // 18 digits always fit in int64.
  std::size_t n = v.GetStringLength();
  if (n == 0 || n > 18) return std::nullopt;
  const char* s = v.GetString();
  int64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

std::string string_value(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

std::optional<int64_t> time_value(const rapidjson::Value& v, int64_t now) {
  return datetime_value(v, now);
}

}  // namespace sevu::legacy

#include "legacy/wire/request_fields.hpp"

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

std::string string_value(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

std::optional<int64_t> time_value(const rapidjson::Value& v, int64_t now) {
  return datetime_value(v, now);
}

}  // namespace sevu::legacy

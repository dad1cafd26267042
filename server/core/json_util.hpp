// Small helpers over rapidjson used by every API layer.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>

namespace sevu {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void put(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// Member as string if it is a string; integers/bools are NOT converted.
std::optional<std::string> string_member(const rapidjson::Value& obj, const char* name);
// Member as int64 if it is an integer or a string of digits (legacy clients send both).
std::optional<int64_t> int_member(const rapidjson::Value& obj, const char* name);
// True if the member exists and is not null.
bool has_member(const rapidjson::Value& obj, const char* name);
// For optional string members: absent or null leaves out as it is; a string is
// copied into out; any other type returns false.
bool read_optional_string(const rapidjson::Value& obj, const char* name, std::string& out);

}  // namespace sevu

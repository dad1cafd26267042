// Reading command fields from the request object. A field counts as given only
// when it is present, not null and not the empty string: PHP clients routinely
// send '' for "not set" (decided).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sevu::legacy {

// A field a command requires; each command lists its own.
struct RequiredField {
  const char* name;             // as listed in a code 6 message
  const char* alias = nullptr;  // also satisfies the requirement (expire / expires)
};

// The field's value when given, else nullptr.
const rapidjson::Value* given_field(const rapidjson::Value& request, const char* name);

// The names of required fields not given, in the order listed.
std::vector<std::string> missing_fields(const rapidjson::Value& request,
                                        const std::vector<RequiredField>& required);

// "app, video"
std::string join_names(const std::vector<std::string>& names);

std::string string_value(const rapidjson::Value& v);  // v must be a string

// A point in time given by a client (expire, starttime, datetime), read by
// core's datetime_value: a JSON integer is unix seconds, a string anything
// parse_datetime takes ("-1 day" as an expiry is simply past, and as a
// starttime means "since yesterday"); years outside 1970..9999 are invalid.
std::optional<int64_t> time_value(const rapidjson::Value& v, int64_t now);

}  // namespace sevu::legacy

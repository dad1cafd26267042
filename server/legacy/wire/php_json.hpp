// PHP json_encode($value) with default flags, reproduced for signature form (b):
// PHP clients sign json_encode($request) and we must rebuild those exact bytes
// from the parsed request. Compact; '/' as "\/"; non-ASCII as lowercase \uXXXX
// (surrogate pairs above U+FFFF); control chars as \b \f \n \r \t or \u00XX;
// integers bare; floats as PHP prints them with serialize_precision = -1 (the
// shortest round-trip form: 0.1, 1.5e-7, 1.0e+25, and 2.0 as "2"); members in
// received order.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

namespace sevu::legacy {

// nullopt where PHP's json_encode fails: invalid UTF-8 (incl. encoded
// surrogates), NaN or infinity.
std::optional<std::string> php_json_encode(const rapidjson::Value& value);

// The encoding of an object without its top-level members named `skip`.
std::optional<std::string> php_json_encode_without(const rapidjson::Value& object,
                                                   std::string_view skip);

// Whether php_json_encode would succeed, without building the text: the
// encoder's own walk with its output dropped.
bool php_json_encodable(const rapidjson::Value& value);

// A double as PHP's json_encode writes it ("0.1", "2", "1.0e+25", "-0").
std::string php_double(double d);

// Appends s as a PHP json_encode string literal, quotes included; false on invalid UTF-8.
bool php_append_string(std::string& out, std::string_view s);

}  // namespace sevu::legacy

// Small helpers over rapidjson used by every API layer.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "core/utf8.hpp"

namespace sevu {

// Every JSON document the server reads from outside is nested at most this
// deep (decided; docs/decisions.md). Requests and hook calls are flat or nearly
// so; deeper nesting is only ever an attack on a recursive parser or encoder.
constexpr int kMaxJsonDepth = 32;
// The problem the readers below report for text nested deeper than that: the
// one every route answers with HTTP 400 (docs/legacy-api.md, "Check order").
const std::string& json_too_deep();
// Whether text's brackets, outside its strings, nest deeper than
// kMaxJsonDepth. Routes that read no body use it: a body too deep is refused
// on every route (docs/decisions.md), not only where it would be parsed.
bool nested_too_deep(std::string_view text);

// Whether the text must be valid UTF-8. The APIs require it; media servers pass
// a viewer's bytes through as they came, and the hooks decide such a call and
// log its text repaired (usher_service/attempt_log.hpp) rather than refuse it.
enum class JsonUtf8 { kRequired, kPassedThrough };

// rapidjson's Document takes a 64 KiB chunk from malloc for its first value, a
// size jemalloc serves on its slow path for large allocations, where a hook
// call or a signed request needs a few hundred bytes: a tenth of a refused
// start's instructions on the hook io thread went to that chunk
// (docs/performance.md, "JSON documents in small chunks"). Documents of JSON
// from outside take chunks of this size instead; a larger document takes more.
constexpr std::size_t kJsonChunkBytes = 4096;

// Holds a JsonDocument's chunks; a base class so that it exists before the
// document that points at it and outlives it.
struct JsonChunks {
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> pool =
      std::make_unique<rapidjson::MemoryPoolAllocator<>>(kJsonChunkBytes);
};

// A rapidjson::Document whose values live in kJsonChunkBytes chunks. Movable:
// the pool stays where it is on the heap and moves with the document. A move
// assignment frees the old pool before the document lets go of its old values,
// which is safe: a document never hands values back to a pool allocator (its
// kNeedFree is false), it only drops its pointer to them.
class JsonDocument : private JsonChunks, public rapidjson::Document {
 public:
  JsonDocument() : rapidjson::Document(pool.get()) {}
};

// The one way JSON from outside is parsed: hook calls, v2 and legacy bodies,
// test controls. Refuses, before rapidjson runs, text with a NUL byte (rapidjson
// would stop there and leave the rest unchecked) or nested deeper than
// kMaxJsonDepth; then parses iteratively (no recursion), keeping numbers at
// full precision, with nothing allowed after the value. Returns the problem
// for a 400 (or legacy code 6), or an empty string when doc holds the value
// (of any type: callers check the shape they need).
std::string parse_json(std::string_view text, rapidjson::Document& doc,
                       JsonUtf8 utf8 = JsonUtf8::kRequired);

// One top-level member of a JSON object, as read_top_members finds it. A
// member sent twice is read as its first occurrence, as rapidjson's FindMember
// finds it, so both readers agree.
struct TopMember {
  enum class Kind { kAbsent, kNull, kString, kOther };
  Kind kind = Kind::kAbsent;
  std::string text;  // the string's bytes, when kind is kString

  // Present and not null, as present_member reads a member.
  bool present() const { return kind == Kind::kString || kind == Kind::kOther; }
};

// For a flat request body read on a hot path (a hook call): the top-level
// members named in names[0..count) into out[0..count), in one pass and without
// building a document: the document's chunks, its values and a lookup per
// member were a sixth of decoding a generic check (docs/performance.md,
// "Hook bodies read without a document"). Refuses exactly what parse_json
// refuses, with the same problem (out then means nothing); is_object says
// whether the value is an object. A member not sent stays kAbsent; members
// nested deeper are parsed and checked, not kept.
std::string read_top_members(std::string_view text, JsonUtf8 utf8, const std::string_view* names,
                             std::size_t count, TopMember* out, bool& is_object);

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// A reply with this status carrying the JSON text written into buf.
HttpResponse json_reply(int status, const rapidjson::StringBuffer& buf);

inline void put(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// Text a client once sent (a key, an app, a video) may be any bytes: written
// as valid UTF-8, so every listing stays valid JSON. Text that is valid
// already, nearly all of it, is written as it is, without the repaired copy.
inline void put_text(JsonWriter& w, const char* key, const std::string& value) {
  if (valid_utf8(value)) return put(w, key, value);
  put(w, key, to_valid_utf8(value));
}

// A string value's (or a member name's) text, without a copy; v must be a string.
inline std::string_view text_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

// Member as string if it is a string; integers/bools are NOT converted.
std::optional<std::string> string_member(const rapidjson::Value& obj, const char* name);
// An integer, or a string of 1-18 digits (legacy clients send ids such as "cdn"
// both ways; core/text.hpp parse_decimal); nullopt for anything else.
std::optional<int64_t> int_value(const rapidjson::Value& v);
// Member as int_value reads it; nullopt when absent.
std::optional<int64_t> int_member(const rapidjson::Value& obj, const char* name);
// The one boolean rule for a JSON value (docs/decisions.md, Booleans): true or
// false, the integers 1 or 0, or a string parse_bool reads ("true", "1", "false",
// "0"); nullopt for anything else. v2 bodies are typed and refuse strings first.
std::optional<bool> bool_value(const rapidjson::Value& v);
// The member's value if it exists and is not null, else nullptr: one lookup
// where has_member followed by a typed read would walk the members twice.
const rapidjson::Value* present_member(const rapidjson::Value& obj, const char* name);
// True if the member exists and is not null.
bool has_member(const rapidjson::Value& obj, const char* name);
// A client's date as a JSON value: an integer is unix seconds, a string any
// form parse_datetime (core/datetime.hpp) takes. nullopt for another type, an
// unreadable string, or a date outside the years 1970..9999.
std::optional<int64_t> datetime_value(const rapidjson::Value& v, int64_t now);
// For optional string members: absent or null leaves out as it is; a string is
// copied into out; any other type returns false.
bool read_optional_string(const rapidjson::Value& obj, const char* name, std::string& out);

}  // namespace sevu

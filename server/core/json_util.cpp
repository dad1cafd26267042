// Member lookups that never assert: rapidjson's FindMember asserts on a
// non-object, so every helper checks the shape first.
#include "core/json_util.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>

#include "core/datetime.hpp"
#include "core/text.hpp"

namespace sevu {

namespace {

// What one pass over the text, outside strings, finds before rapidjson runs.
struct Prescan {
  // Bracket depth beyond kMaxJsonDepth: refused before the parser, and every
  // recursive walk of the document after it (the legacy encoder), sees it.
  bool too_deep = false;
  // Debian's rapidjson 1.1.0 has undefined behaviour (clz(0), oversized shifts)
  // when its full-precision parser meets a float zero with an exponent or many
  // digits (0e46, 0.000...0). Such a number is zero however it is written, so
  // the copy handed to rapidjson says 0.0 (a float, as PHP reads it) instead;
  // so does a number too small for a double, which is zero too (below).
  // nullopt: nothing to change, parse the text as it is.
  std::optional<std::string> rewritten;
  // A number beyond a double's range (above 1.8e308), refused before rapidjson
  // reads it: with many digits its full-precision parser asserts and shifts by
  // clz(0) on one (8111...1e259, 70 digits, found by fuzz_legacy_request).
  std::optional<std::size_t> too_big_at;
};

// 4.9e-324 is the smallest double above zero: a number whose first significant
// digit stands below 10^-324 reads as zero.
constexpr long long kSmallestDecimalExponent = -324;
// 1.8e308 is the largest double: a number whose first significant digit stands
// above 10^308 is too big for one.
constexpr long long kLargestDecimalExponent = 308;
// Exponents are counted no further than this: already far past every double.
constexpr long long kExponentCap = 1000000;

// Rewrites the number at text[i] (a '-' or digit) into out if it is a float
// zero; returns the index just past the number.
std::size_t scan_number(std::string_view text, std::size_t i, std::size_t& copied,
                        std::optional<std::string>& out, std::optional<std::size_t>& too_big_at) {
  const char c = text[i];
  // The number as JSON's grammar reads it; whatever follows is rapidjson's to refuse.
  std::size_t j = i + (c == '-');
  bool fraction = false, exponent = false, exponent_negative = false, complete = true;
  long long mantissa_digits = 0, exponent_value = 0;
  std::optional<long long> first_nonzero;  // its index among the mantissa's digits
  auto digits = [&](auto on_digit) {
    std::size_t from = j;
    for (; j < text.size() && is_digit(text[j]); ++j) on_digit(text[j]);
    complete &= j > from;
  };
  auto mantissa = [&](char d) {
    if (d != '0' && !first_nonzero) first_nonzero = mantissa_digits;
    ++mantissa_digits;
  };
  digits(mantissa);
  const long long integer_digits = mantissa_digits;
  if (j < text.size() && text[j] == '.') {
    fraction = true;
    ++j;
    digits(mantissa);
  }
  if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
    exponent = true;
    ++j;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) exponent_negative = text[j++] == '-';
    // Saturated: far past any double's range either way, and no overflow.
    digits([&](char d) {
      if (exponent_value < kExponentCap) exponent_value = exponent_value * 10 + (d - '0');
    });
  }
  // A malformed number is refused by rapidjson before it computes a value.
  if (!complete) return j;
  const bool zero = !first_nonzero;
  // The power of ten of the first significant digit. Below 1e-324 a double is
  // zero; Debian's rapidjson 1.1.0 reads past its table of powers for such a
  // number written with many digits (0.0501...e-333, found by fuzz_json), so it
  // is handed over as the zero it is.
  const long long power =
      zero ? 0
           : integer_digits - 1 - *first_nonzero +
                 (exponent_negative ? -exponent_value : exponent_value);
  const bool underflows = !zero && power < kSmallestDecimalExponent;
  if (!zero && power > kLargestDecimalExponent && !too_big_at) too_big_at = i;
  if ((zero && (fraction || exponent)) || underflows) {
    if (!out) out.emplace();
    out->append(text.substr(copied, i - copied));
    // The space keeps whatever followed from joining the new number.
    out->append(c == '-' ? "-0.0 " : "0.0 ");
    copied = j;
  }
  return j;
}

// The index of the quote that closes the string whose text starts at i (the
// text's size when none does). Found with memchr, not byte by byte: strings are
// most of a request's bytes, and this walk was 5 % of a refused start's io
// thread (docs/performance.md, "Strings skipped by memchr").
std::size_t string_end(std::string_view text, std::size_t i) {
  for (;;) {
    const std::size_t quote = text.find('"', i);
    if (quote == std::string_view::npos) return text.size();
    std::size_t run = quote;  // a quote after an odd run of backslashes is escaped
    while (run > i && text[run - 1] == '\\') --run;
    if ((quote - run) % 2 == 0) return quote;
    i = quote + 1;
  }
}

Prescan prescan(std::string_view text) {
  Prescan p;
  std::size_t copied = 0;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = string_end(text, i + 1);
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        p.too_deep = true;
        return p;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '-' || is_digit(c)) {
      i = scan_number(text, i, copied, p.rewritten, p.too_big_at) - 1;
    }
  }
  if (p.rewritten) p.rewritten->append(text.substr(copied));
  return p;
}

const rapidjson::Value* find(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string malformed(rapidjson::ParseErrorCode code, std::size_t offset) {
  return std::string("malformed JSON: ") + rapidjson::GetParseError_En(code) + " at offset " +
         std::to_string(offset);
}

// Iterative: even within the limit, parsing never recurses.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;

// What both readers refuse before rapidjson runs. On success, input is the text
// rapidjson may read: text itself, or the copy scan holds.
//
// UTF-8 is checked here, over the whole text at once, rather than by
// rapidjson's kParseValidateEncodingFlag: that flag runs a state machine per
// byte of every string, a tenth of a signed request's instructions on its io
// thread, where next_invalid_utf8 passes ASCII eight bytes at a time
// (docs/performance.md, "UTF-8 checked before the parse"). Both are strict in
// the same way (no overlong forms, surrogates or values past U+10FFFF); outside
// strings, a byte above 0x7F was a syntax error before and is refused here.
std::string before_rapidjson(std::string_view text, JsonUtf8 utf8, Prescan& scan,
                             std::string_view& input) {
  if (text.find('\0') != std::string_view::npos) return "NUL byte in JSON text";
  if (utf8 == JsonUtf8::kRequired) {
    const std::size_t bad = next_invalid_utf8(text);
    if (bad < text.size()) return "malformed JSON: invalid UTF-8 at offset " + std::to_string(bad);
  }
  scan = prescan(text);
  if (scan.too_deep) return json_too_deep();
  if (scan.too_big_at)  // in rapidjson's own words, as it says it of 1e400
    return malformed(rapidjson::kParseErrorNumberTooBig, *scan.too_big_at);
  input = scan.rewritten ? std::string_view(*scan.rewritten) : text;
  return {};
}

// Records the top-level members read_top_members asks for, as rapidjson's
// reader meets them; every other value is only checked by the reader.
class TopMemberHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TopMemberHandler> {
 public:
  TopMemberHandler(const std::string_view* names, std::size_t count, TopMember* out)
      : names_(names), count_(count), out_(out) {}

  bool is_object = false;

  // Numbers and booleans (BaseReaderHandler routes them here).
  bool Default() { return value(TopMember::Kind::kOther); }
  bool Null() { return value(TopMember::Kind::kNull); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1 && pending_ != nullptr) pending_->text.assign(s, n);
    return value(TopMember::Kind::kString);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) pending_ = unseen_member(std::string_view(s, n));
    return true;
  }
  bool StartObject() {
    if (depth_ == 0) is_object = true;
    return open();
  }
  bool StartArray() { return open(); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  // A value inside the top-level object belongs to the key just read.
  bool value(TopMember::Kind kind) {
    if (depth_ != 1) return true;
    if (pending_ != nullptr) pending_->kind = kind;
    pending_ = nullptr;
    return true;
  }
  bool open() {
    value(TopMember::Kind::kOther);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  // The asked-for member of this name, unless an earlier occurrence was read.
  TopMember* unseen_member(std::string_view key) {
    for (std::size_t i = 0; i < count_; ++i) {
      if (key == names_[i]) return out_[i].kind == TopMember::Kind::kAbsent ? &out_[i] : nullptr;
    }
    return nullptr;
  }

  const std::string_view* names_;  // with their lengths: no strlen per key read
  std::size_t count_;
  TopMember* out_;
  int depth_ = 0;
  TopMember* pending_ = nullptr;  // the member whose value comes next
};

}  // namespace

const std::string& json_too_deep() {
  static const std::string problem =
      "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  return problem;
}

bool nested_too_deep(std::string_view text) {
  return prescan(text).too_deep;  // the parser's own count, numbers read on the way
}

std::string parse_json(std::string_view text, rapidjson::Document& doc, JsonUtf8 utf8) {
  Prescan scan;
  std::string_view input;
  if (std::string problem = before_rapidjson(text, utf8, scan, input); !problem.empty())
    return problem;
  doc.Parse<kParseFlags>(input.data(), input.size());
  if (!doc.HasParseError()) return {};
  return malformed(doc.GetParseError(), doc.GetErrorOffset());
}

std::string read_top_members(std::string_view text, JsonUtf8 utf8, const std::string_view* names,
                             std::size_t count, TopMember* out, bool& is_object) {
  for (std::size_t i = 0; i < count; ++i) out[i] = TopMember{};
  is_object = false;
  Prescan scan;
  std::string_view input;
  if (std::string problem = before_rapidjson(text, utf8, scan, input); !problem.empty())
    return problem;
  // The stream Document::Parse(text, length) reads, so that byte order marks
  // and offsets are read alike. Not in situ: that would write into the
  // caller's text.
  rapidjson::MemoryStream bytes(input.data(), input.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(bytes);
  // The reader's stack (a string being read, a member count per open object)
  // lives in this frame, and in kJsonChunkBytes chunks beyond it.
  char stack_space[1024];
  rapidjson::MemoryPoolAllocator<> stack_pool(stack_space, sizeof stack_space, kJsonChunkBytes);
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
      reader(&stack_pool, 256);
  TopMemberHandler handler(names, count, out);
  const rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, handler);
  if (result.IsError()) return malformed(result.Code(), result.Offset());
  is_object = handler.is_object;
  return {};
}

HttpResponse json_reply(int status, const rapidjson::StringBuffer& buf) {
  HttpResponse r;
  r.status = status;
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

std::optional<std::string> string_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> int_value(const rapidjson::Value& v) {
  // IsInt64 also holds for unsigned values that fit; 5.0 is a double, not an integer.
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsString()) return parse_decimal(std::string_view(v.GetString(), v.GetStringLength()));
  return std::nullopt;
}

std::optional<int64_t> int_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  return v == nullptr ? std::nullopt : int_value(*v);
}

std::optional<bool> bool_value(const rapidjson::Value& v) {
  if (v.IsBool()) return v.GetBool();
  if (v.IsInt64() && (v.GetInt64() == 0 || v.GetInt64() == 1)) return v.GetInt64() == 1;
  if (v.IsString()) return parse_bool(std::string_view(v.GetString(), v.GetStringLength()));
  return std::nullopt;
}

std::optional<int64_t> datetime_value(const rapidjson::Value& v, int64_t now) {
  if (v.IsInt64()) return datetime_in_range(v.GetInt64());
  if (!v.IsString()) return std::nullopt;
  return parse_datetime(std::string_view(v.GetString(), v.GetStringLength()), now);
}

const rapidjson::Value* present_member(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = find(obj, name);
  return v != nullptr && !v->IsNull() ? v : nullptr;
}

bool has_member(const rapidjson::Value& obj, const char* name) {
  return present_member(obj, name) != nullptr;
}

bool read_optional_string(const rapidjson::Value& obj, const char* name, std::string& out) {
  const rapidjson::Value* v = present_member(obj, name);
  if (v == nullptr) return true;
  if (!v->IsString()) return false;
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}

}  // namespace sevu

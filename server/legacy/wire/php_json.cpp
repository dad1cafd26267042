#include "legacy/wire/php_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/json_util.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"

namespace sevu::legacy {

namespace {

// Takes what the encoder writes and keeps none of it: the encoder's walk, run
// only for its verdict (php_json_encodable). One walk, so that the verdict and
// the encoding can never disagree.
struct Discard {
  Discard& operator+=(char) { return *this; }
  Discard& operator+=(std::string_view) { return *this; }
  void append(const char*, std::size_t) {}
};

// PHP writes lowercase \u escapes.
template <class Out>
void append_u_escape(Out& out, uint32_t unit) {
  char digits[4];
  put_hex_digits(digits, unit, 4);
  out += "\\u";
  out.append(digits, sizeof digits);
}

template <class Out>
bool append_string(Out& out, std::string_view s);

template <class Out>
bool encode(Out& out, const rapidjson::Value& v, std::string_view skip, bool top);

template <class Out>
bool encode_object(Out& out, const rapidjson::Value& v, std::string_view skip, bool top) {
  out += '{';
  bool first = true;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    const std::string_view name = text_of(m->name);
    if (top && !skip.empty() && name == skip) continue;
    if (!first) out += ',';
    first = false;
    if (!append_string(out, name)) return false;
    out += ':';
    if (!encode(out, m->value, skip, false)) return false;
  }
  out += '}';
  return true;
}

template <class Out>
bool encode(Out& out, const rapidjson::Value& v, std::string_view skip, bool top) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return true;
    case rapidjson::kFalseType:
      out += "false";
      return true;
    case rapidjson::kTrueType:
      out += "true";
      return true;
    case rapidjson::kStringType:
      return append_string(out, text_of(v));
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        out += std::to_string(v.GetInt64());
      } else {
        // Beyond int64 PHP's json_decode yields a float, and so does rapidjson.
        double d = v.IsUint64() ? static_cast<double>(v.GetUint64()) : v.GetDouble();
        if (!std::isfinite(d)) return false;
        out += php_double(d);
      }
      return true;
    case rapidjson::kArrayType: {
      out += '[';
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) out += ',';
        first = false;
        if (!encode(out, e, skip, false)) return false;
      }
      out += ']';
      return true;
    }
    case rapidjson::kObjectType:
      return encode_object(out, v, skip, top);
  }
  return false;
}

// Bytes PHP copies as they are (DEL too): printable ASCII other than '"', '\\' and '/'.
bool copied_as_is(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '/';
}

template <class Out>
bool append_string(Out& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    // Most text (keys, names, dates) needs no escape: copied a run at a time,
    // not a code point at a time (docs/performance.md, "The PHP encoder").
    std::size_t run = i;
    while (run < s.size() && copied_as_is(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    uint32_t cp = 0;
    std::size_t len = decode_utf8(s, i, cp);
    if (len == 0) return false;
    i += len;
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '/':
        out += "\\/";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (cp < 0x20) {
      append_u_escape(out, cp);
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      append_u_escape(out, cp);
    } else {
      uint32_t v = cp - 0x10000;
      append_u_escape(out, 0xD800 + (v >> 10));
      append_u_escape(out, 0xDC00 + (v & 0x3FF));
    }
  }
  out += '"';
  return true;
}

}  // namespace

bool php_append_string(std::string& out, std::string_view s) {
  return append_string(out, s);
}

// PHP's php_gcvt(value, 17, '.', 'e') in mode 0: the shortest digits that
// round-trip, fixed notation when the decimal exponent is in [-4, 17), else
// "d.ddde+X" (with ".0" when there is one digit).
std::string php_double(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));  // "-1.2345e+17"
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int decpt = exp10 + 1;  // digits d1d2d3... mean 0.d1d2d3 * 10^decpt
  if (digits == "0") decpt = 1;

  if (decpt < -3 || decpt > 17) {
    out += digits[0];
    out += '.';
    out += digits.size() > 1 ? digits.substr(1) : std::string("0");
    int x = decpt - 1;
    out += 'e';
    out += x < 0 ? '-' : '+';
    out += std::to_string(x < 0 ? -x : x);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else {
    const auto whole = static_cast<std::size_t>(decpt);
    if (digits.size() <= whole) {
      out += digits;
      out.append(whole - digits.size(), '0');
    } else {
      out += digits.substr(0, whole);
      out += '.';
      out += digits.substr(whole);
    }
  }
  return out;
}

std::optional<std::string> php_json_encode(const rapidjson::Value& value) {
  std::string out;
  if (!encode(out, value, {}, true)) return std::nullopt;
  return out;
}

std::optional<std::string> php_json_encode_without(const rapidjson::Value& object,
                                                   std::string_view skip) {
  std::string out;
  if (!encode(out, object, skip, true)) return std::nullopt;
  return out;
}

bool php_json_encodable(const rapidjson::Value& value) {
  Discard out;
  return encode(out, value, {}, true);
}

}  // namespace sevu::legacy

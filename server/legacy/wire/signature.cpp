#include "legacy/wire/signature.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "auth/crypto.hpp"
#include "core/text.hpp"
#include "legacy/wire/php_json.hpp"

namespace sevu::legacy {

namespace {

// A top-level member's place in the raw text.
struct MemberSpan {
  std::size_t name_begin = 0;  // the opening quote of its name
  std::size_t value_end = 0;   // one past its value
  std::size_t comma = 0;       // the ',' after the value; 0 for the last member
  std::string name;            // decoded
};

// A lenient scanner over text that rapidjson has already accepted: it only has
// to find where things begin and end, not to validate them.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::optional<std::vector<MemberSpan>> top_level_members() {
    std::vector<MemberSpan> members;
    skip_space();
    if (!eat('{')) return std::nullopt;
    skip_space();
    if (eat('}')) return members;
    for (;;) {
      skip_space();
      MemberSpan m;
      m.name_begin = pos_;
      if (!string_literal(&m.name)) return std::nullopt;
      skip_space();
      if (!eat(':')) return std::nullopt;
      skip_space();
      if (!skip_value()) return std::nullopt;
      m.value_end = pos_;
      members.push_back(std::move(m));
      skip_space();
      if (eat(',')) {
        members.back().comma = pos_ - 1;
        continue;
      }
      if (eat('}')) return members;
      return std::nullopt;
    }
  }

 private:
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  // A string literal at pos_, decoded into *out when out is given (a member's
  // name is; a value is only skipped) well enough to compare with ASCII names
  // (a \u escape above U+007F decodes to a placeholder that matches nothing
  // ASCII). Runs without an escape are passed whole: a character at a time,
  // this scan was half of finding the signed forms of a request (callgrind,
  // docs/performance.md, "Signatures checked with a kept key").
  bool string_literal(std::string* out) {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      const std::size_t run = pos_;
      while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\') ++pos_;
      if (out) out->append(s_.data() + run, pos_ - run);
      if (pos_ >= s_.size()) return false;
      if (s_[pos_++] == '"') return true;
      if (pos_ >= s_.size()) return false;
      const std::optional<char> c = escaped(s_[pos_++]);
      if (!c) return false;
      if (out) *out += *c;
    }
    return false;
  }

  // The character the escape \<e> stands for; pos_ is just past e (and past
  // the four hex digits of a \u on return).
  std::optional<char> escaped(char e) {
    switch (e) {
      case 'u': {
        if (pos_ + 4 > s_.size()) return std::nullopt;
        int v = 0;
        for (int k = 0; k < 4; ++k) {
          const int h = hex_value(s_[pos_++]);
          if (h < 0) return std::nullopt;
          v = v * 16 + h;
        }
        return v < 0x80 ? static_cast<char>(v) : '\x80';
      }
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return e;  // \" \\ \/
    }
  }

  // Any value: strings honour escapes, containers are matched bracket by
  // bracket without recursion, scalars run to the next delimiter.
  bool skip_value() {
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '"') return string_literal(nullptr);
    if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < s_.size()) {
        char d = s_[pos_];
        if (d == '"') {
          if (!string_literal(nullptr)) return false;
          continue;
        }
        ++pos_;
        if (d == '{' || d == '[') ++depth;
        if ((d == '}' || d == ']') && --depth == 0) return true;
      }
      return false;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' &&
           s_[pos_] != ' ' && s_[pos_] != '\t' && s_[pos_] != '\n' && s_[pos_] != '\r')
      ++pos_;
    return pos_ > start;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

namespace {

// Calls take(form) for each form (a) text of raw_json (textual_forms), in
// order, until take returns true. The texts are made one at a time: the first
// matches the signature of nearly every client, and the others cost a copy of
// the request each (docs/performance.md, "Signed forms made one at a time").
template <class Take>
void each_textual_form(std::string_view raw_json, Take take) {
  auto members = Scanner(raw_json).top_level_members();
  if (!members) return;
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < members->size(); ++i) {
    if ((*members)[i].name != kSignatureMember) continue;
    if (index) return;  // duplicated: ambiguous
    index = i;
  }
  if (!index) return;
  const auto& list = *members;
  const std::size_t i = *index;
  std::array<std::pair<std::size_t, std::size_t>, 4> cuts;  // [begin, end) of raw_json
  std::size_t count = 0;
  if (i > 0) {
    cuts[count++] = {list[i - 1].value_end, list[i].value_end};  // the preceding comma and space
    cuts[count++] = {list[i - 1].comma, list[i].value_end};      // from the comma on
  }
  if (i + 1 < list.size()) {
    cuts[count++] = {list[i].name_begin, list[i + 1].name_begin};  // the following comma and space
    cuts[count++] = {list[i].name_begin, list[i].comma + 1};       // up to the comma only
  }
  if (list.size() == 1) cuts[count++] = {list[i].name_begin, list[i].value_end};
  std::vector<std::string> made;  // only once the first did not match
  for (std::size_t c = 0; c < count; ++c) {
    const auto [begin, end] = cuts[c];
    std::string out(raw_json.substr(0, begin));
    out.append(raw_json.substr(end));
    if (std::find(made.begin(), made.end(), out) != made.end()) continue;  // cut the same text
    if (take(out)) return;
    made.push_back(std::move(out));
  }
}

}  // namespace

std::vector<std::string> textual_forms(std::string_view raw_json) {
  std::vector<std::string> forms;
  each_textual_form(raw_json, [&forms](const std::string& form) {
    forms.push_back(form);
    return false;
  });
  return forms;
}

std::string sign_message(std::string_view message, std::string_view secret) {
  return base64_encode(hmac_sha256(secret, message));
}

bool signature_matches(std::string_view raw_json, const rapidjson::Value& request,
                       std::string_view given, std::string_view secret) {
  // Forms are tried until one matches: a signature that fails is signed and
  // compared against every form, whatever it is, so the time a refusal takes
  // tells nothing about how near a guess came; a match ends the search, which
  // tells only that it matched, as the answer does (docs/legacy-api.md,
  // Signing). Form (a) first: the Perl client's text and the PHP client's
  // (json_encode with the member appended) both match a cut, and each HMAC is
  // a few µs of an io thread's time under a stream of signed writes.
  bool matched = false;
  each_textual_form(raw_json, [&](const std::string& form) {
    matched = constant_time_equal(sign_message(form, secret), given);
    return matched;
  });
  if (matched) return true;
  // Form (b) is encoded only now: most clients' signatures match a textual
  // form, and the encoding was 7 % of a signed request's io-thread
  // instructions (docs/performance.md, "Signatures checked with a kept key").
  // parse_request_json has made sure PHP could encode the request.
  const std::optional<std::string> php_form = php_json_encode_without(request, kSignatureMember);
  return php_form && constant_time_equal(sign_message(*php_form, secret), given);
}

}  // namespace sevu::legacy

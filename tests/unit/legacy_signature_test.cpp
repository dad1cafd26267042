// Request signatures: the two signed forms and their verification.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "legacy/wire/php_json.hpp"
#include "legacy/wire/request_json.hpp"
#include "legacy/wire/signature.hpp"

using namespace sevu::legacy;

namespace {

// The first of textual_forms(), the one a client that appends the member at
// the end produces: the member with its preceding comma removed.
std::optional<std::string> cut_signature_member(std::string_view raw_json) {
  auto forms = textual_forms(raw_json);
  if (forms.empty()) return std::nullopt;
  return forms.front();
}

const std::string kSecret = "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f";

// Inserts "signature":sig (JSON-escaped slashes when asked) just before the
// closing brace, the way the Perl client appends it.
std::string append_signature(const std::string& json, const std::string& sig,
                             bool escape_slashes = false) {
  std::string value;
  for (char c : sig) {
    if (c == '/' && escape_slashes)
      value += "\\/";
    else
      value += c;
  }
  auto close = json.rfind('}');
  return json.substr(0, close) + ",\"signature\":\"" + value + "\"" + json.substr(close);
}

bool verify(const std::string& raw, const std::string& secret = kSecret) {
  auto parsed = parse_request_json(raw);
  REQUIRE(parsed.ok);
  const auto& sig = parsed.doc["signature"];
  REQUIRE(sig.IsString());
  return signature_matches(raw, parsed.doc, sig.GetString(), secret);
}

}  // namespace

TEST_CASE("sign_message is base64(HMAC-SHA256(message, secret as ASCII))") {
  // Reference values from Python's hmac module.
  CHECK(sign_message("{\"a\":1}", kSecret) == "k0FiEtwlur8tUoB18Cn/tDIqGxIgO7dJemwqlfgcFPE=");
  CHECK(
      sign_message("{\"command\":\"sevu.request\",\"api_key\":\"APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE\","
                   "\"timestamp\":1700000000,\"cdn\":158,\"app\":\"demo-origin\",\"video\":"
                   "\"mystream\",\"pass\":\"unique_random_string_per_request\",\"ip\":\"\","
                   "\"uses\":5,\"expire\":\"2024-07-19 23:22:40\"}",
                   kSecret) == "Zn/l9S8DLCYe2GKVTmIE16iJLsWCoHhQ7m86J0FTWgQ=");
}

TEST_CASE("form (a): the signature member is cut out wherever it is") {
  CHECK(cut_signature_member("{\"a\":1,\"signature\":\"x\"}") == "{\"a\":1}");
  CHECK(cut_signature_member("{\"signature\":\"x\",\"a\":1}") == "{\"a\":1}");
  CHECK(cut_signature_member("{\"a\":1,\"signature\":\"x\",\"b\":2}") == "{\"a\":1,\"b\":2}");
  CHECK(cut_signature_member("{\"signature\":\"x\"}") == "{}");
  CHECK(cut_signature_member(" { \"signature\" : \"x\" } ") == " {  } ");
}

TEST_CASE("form (a): whitespace around the member") {
  CHECK(cut_signature_member("{\"a\": 1, \"signature\": \"x\"}") == "{\"a\": 1}");
  CHECK(cut_signature_member("{\"a\": 1 , \"signature\" : \"x\" , \"b\": 2}") ==
        "{\"a\": 1 , \"b\": 2}");
  CHECK(cut_signature_member("{\n  \"a\": 1,\n  \"signature\": \"x\"\n}") == "{\n  \"a\": 1\n}");
  CHECK(cut_signature_member("{\n  \"signature\": \"x\",\n  \"a\": 1\n}") == "{\n  \"a\": 1\n}");
  CHECK(cut_signature_member("{ \"signature\":\"x\" , \"a\":1 }") == "{ \"a\":1 }");
}

TEST_CASE("form (a): every plausible place of the separating whitespace is a candidate") {
  using V = std::vector<std::string>;
  // Spliced in after '{' of pretty-printed text: the whitespace after the comma was the
  // original's; or inserted with its own whitespace: the space after the comma is new.
  CHECK(textual_forms("{\"signature\": \"s\",\n  \"a\": 1\n}") ==
        V{"{\"a\": 1\n}", "{\n  \"a\": 1\n}"});
  // Appended at the end: the comma before it goes, with or without the space before it.
  CHECK(textual_forms("{\"a\": 1 , \"signature\": \"s\"}") == V{"{\"a\": 1}", "{\"a\": 1 }"});
  // In the middle: four cuts, two of which coincide.
  CHECK(textual_forms("{\"a\":1 , \"signature\":\"s\" , \"b\":2}") ==
        V{"{\"a\":1 , \"b\":2}", "{\"a\":1  , \"b\":2}", "{\"a\":1 ,  \"b\":2}"});
  // Compact text has exactly one candidate.
  CHECK(textual_forms("{\"a\":1,\"signature\":\"s\",\"b\":2}") == V{"{\"a\":1,\"b\":2}"});
  CHECK(textual_forms("{\"signature\":\"s\",\"signature\":\"s\"}").empty());
}

// Forms are made one at a time until one matches: a signature over the last
// candidate must still be found.
TEST_CASE("form (a): a signature over any candidate matches, the last as the first") {
  auto with = [](const std::string& sig) {
    return "{\"a\":1 , \"signature\":\"" + sig + "\" , \"b\":2}";
  };
  const auto forms = textual_forms(with("x"));
  REQUIRE(forms.size() == 3);  // four cuts, two of which coincide
  for (const auto& form : forms) CHECK(verify(with(sign_message(form, kSecret))));
  CHECK_FALSE(verify(with(sign_message("{\"a\":2 , \"b\":2}", kSecret))));
}

TEST_CASE("form (a): values that look like structure do not confuse the cut") {
  CHECK(cut_signature_member("{\"a\":\"},\\\"signature\\\":\\\"\",\"signature\":\"ab\\/cd==\"}") ==
        "{\"a\":\"},\\\"signature\\\":\\\"\"}");
  CHECK(cut_signature_member("{\"n\":{\"signature\":\"inner\",\"x\":[1,{\"y\":\"]\"}]},"
                             "\"signature\":\"outer\",\"z\":-1.5e3}") ==
        "{\"n\":{\"signature\":\"inner\",\"x\":[1,{\"y\":\"]\"}]},\"z\":-1.5e3}");
  CHECK(cut_signature_member("{\"t\":true,\"signature\":\"s\",\"n\":null}") ==
        "{\"t\":true,\"n\":null}");
  // An escaped name is still the signature member.
  CHECK(cut_signature_member("{\"a\":1,\"sign\\u0061ture\":\"x\"}") == "{\"a\":1}");
}

TEST_CASE("form (a): absent, only nested, or duplicated signature gives no form") {
  CHECK_FALSE(cut_signature_member("{\"a\":1}").has_value());
  CHECK_FALSE(cut_signature_member("{\"a\":{\"signature\":\"x\"}}").has_value());
  CHECK_FALSE(cut_signature_member("{\"signature\":\"x\",\"signature\":\"y\"}").has_value());
  CHECK_FALSE(cut_signature_member("{\"a\":1,\"signature\":\"x\",\"b\":2,\"signature\":\"x\"}")
                  .has_value());
  CHECK_FALSE(cut_signature_member("[\"signature\"]").has_value());
  CHECK_FALSE(cut_signature_member("").has_value());
  CHECK_FALSE(cut_signature_member("{\"signature\":").has_value());
}

TEST_CASE("form (b): the PHP re-encoding without the signature") {
  auto parsed = parse_request_json(
      "{ \"command\": \"sevu.status\", \"signature\": \"zz\", \"app\": \"a/b\", \"name\": "
      "\"\xC3\xA9\" }");
  REQUIRE(parsed.ok);
  CHECK(php_json_encode_without(parsed.doc, kSignatureMember) ==
        "{\"command\":\"sevu.status\",\"app\":\"a\\/b\",\"name\":\"\\u00e9\"}");
}

TEST_CASE("a PHP client: signed over json_encode, signature appended by re-encoding") {
  // What PHP sends: json_encode($request) with the signature as the last key;
  // '/' in the base64 signature appears as "\/".
  const std::string signed_text = "{\"command\":\"sevu.status\",\"cdn\":158,\"n\":3}";
  const std::string sig = sign_message(signed_text, kSecret);
  REQUIRE(sig == "TNCT7g9B+LNJic+0f6bLcb5UJh+Lw2R3cQwB/YzMfuk=");  // has a '/'
  CHECK(verify(append_signature(signed_text, sig, true)));
  CHECK(verify(append_signature(signed_text, sig, false)));
}

TEST_CASE("a textual client: form (a) only, with unicode, slashes and whitespace as sent") {
  // Not PHP's encoding (raw UTF-8, unescaped '/', spaces), so only form (a) can match.
  const std::string signed_text =
      "{\"command\": \"sevu.request\", \"app\": \"demo-origin\", \"video\": \"dir/\xC3\xA9.mp4\"}";
  const std::string sig = sign_message(signed_text, kSecret);
  const std::string sent = append_signature(signed_text, sig);
  CHECK(verify(sent));
  // The signature member first, as another client might put it.
  const std::string first = "{\"signature\":\"" + sig + "\"," + signed_text.substr(1);
  auto parsed = parse_request_json(first);
  REQUIRE(parsed.ok);
  CHECK(cut_signature_member(first) == signed_text);
  CHECK(verify(first));
}

TEST_CASE("form (b) matches even when the text is not what was signed") {
  // The client signed PHP's form but sent pretty-printed JSON with unicode unescaped.
  const std::string php_form = "{\"command\":\"sevu.status\",\"key\":\"k\\/\\u00e9\"}";
  const std::string sig = sign_message(php_form, kSecret);
  const std::string sent =
      "{\n  \"command\": \"sevu.status\",\n  \"key\": \"k/\xC3\xA9\",\n"
      "  \"signature\": \"" +
      sig + "\"\n}";
  CHECK(verify(sent));
}

TEST_CASE("tampering, a wrong secret or a wrong signature fail") {
  const std::string signed_text = "{\"command\":\"sevu.request\",\"uses\":1}";
  const std::string sig = sign_message(signed_text, kSecret);
  CHECK(verify(append_signature(signed_text, sig)));
  CHECK_FALSE(verify(append_signature("{\"command\":\"sevu.request\",\"uses\":9}", sig)));
  CHECK_FALSE(verify(append_signature(signed_text, sig), std::string(64, 'a')));
  CHECK_FALSE(verify(append_signature(signed_text, sig.substr(0, sig.size() - 1))));
  CHECK_FALSE(verify(append_signature(signed_text, "")));
  // Signed with spaces (not PHP's form) but sent compact: neither form is what
  // was signed.
  const std::string spaced = "{\"command\": \"sevu.request\", \"uses\": 1}";
  CHECK_FALSE(verify(append_signature(signed_text, sign_message(spaced, kSecret))));
  CHECK(verify(append_signature(spaced, sign_message(spaced, kSecret))));
}

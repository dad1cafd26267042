// Where the request JSON sits in the body: multipart/form-data, urlencoded, raw.
#include <doctest/doctest.h>

#include <string>

#include "legacy/wire/form_body.hpp"

using namespace sevu::legacy;

namespace {

const std::string kCurlBoundary = "------------------------d74496d66958873e";

std::string curl_body(const std::string& json) {
  return "--" + kCurlBoundary +
         "\r\n"
         "Content-Disposition: form-data; name=\"json\"\r\n"
         "\r\n" +
         json + "\r\n--" + kCurlBoundary + "--\r\n";
}

}  // namespace

TEST_CASE("multipart: the body PHP curl sends for POSTFIELDS = array('json' => ...)") {
  auto f = extract_request_json("multipart/form-data; boundary=" + kCurlBoundary,
                                curl_body("{\"a\":\"x\\/y\"}"));
  REQUIRE(f.ok);
  CHECK(f.value == "{\"a\":\"x\\/y\"}");
}

TEST_CASE("multipart: quoted boundary with a space, preamble, epilogue, other fields") {
  const std::string body =
      "This is the preamble, to be ignored.\r\n"
      "--simple boundary\r\n"
      "Content-Disposition: form-data; name=\"other\"\r\n"
      "\r\n"
      "not this\r\n"
      "--simple boundary\r\n"
      "content-disposition: form-data; name=\"json\"\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "{\"k\":1}\r\n"
      "--simple boundary\r\n"
      "Content-Disposition: form-data; name=\"after\"\r\n"
      "\r\n"
      "nor this\r\n"
      "--simple boundary--\r\n"
      "This is the epilogue, also ignored.\r\n"
      "--simple boundary\r\n";
  auto f = extract_request_json("multipart/form-data; boundary=\"simple boundary\"", body);
  REQUIRE(f.ok);
  CHECK(f.value == "{\"k\":1}");
}

TEST_CASE("multipart: content keeps inner CRLFs and lines that merely start like the boundary") {
  const std::string value = "line1\r\n--XYZabc\r\n--XYZ-- not a close\r\n\r\nend";
  const std::string body =
      "--XYZ\r\nContent-Disposition: form-data; name=json\r\n\r\n" + value + "\r\n--XYZ--";
  auto f = multipart_field(body, "XYZ", "json");
  REQUIRE(f.ok);
  CHECK(f.value == value);
}

TEST_CASE("multipart: unquoted and quoted names, other parameters, header case") {
  for (const std::string disposition :
       {"form-data; name=json", "form-data; name=\"json\"", "FORM-DATA;NAME=\"json\"",
        "form-data; filename=\"a;b.json\"; name=\"json\"", "form-data; name = \"json\" ",
        "form-data; name=\"j\\son\""}) {
    CAPTURE(disposition);
    const std::string body =
        "--b\r\nCoNtEnT-DiSpOsItIoN: " + disposition + "\r\n\r\nV\r\n--b--\r\n";
    auto f = multipart_field(body, "b", "json");
    REQUIRE(f.ok);
    CHECK(f.value == "V");
  }
}

TEST_CASE("multipart: a name that only resembles json does not count") {
  for (const std::string disposition : {"form-data; name=\"jsonx\"", "form-data; filename=\"json\"",
                                        "form-data; name=\"JSON\"", "form-data"}) {
    CAPTURE(disposition);
    const std::string body =
        "--b\r\nContent-Disposition: " + disposition + "\r\n\r\nV\r\n--b--\r\n";
    CHECK_FALSE(multipart_field(body, "b", "json").ok);
  }
}

TEST_CASE("multipart: a file part named json is accepted") {
  const std::string body =
      "--b\r\n"
      "Content-Disposition: form-data; name=\"json\"; filename=\"req.json\"\r\n"
      "Content-Type: application/json\r\n"
      "\r\n"
      "{\"f\":true}\r\n"
      "--b--\r\n";
  auto f = multipart_field(body, "b", "json");
  REQUIRE(f.ok);
  CHECK(f.value == "{\"f\":true}");
}

TEST_CASE("multipart: LF-only line ends, transport padding, folded header") {
  const std::string body =
      "--b  \n"
      "Content-Disposition: form-data;\n"
      "\tname=\"json\"\n"
      "\n"
      "{}\n"
      "--b-- \n";
  auto f = multipart_field(body, "b", "json");
  REQUIRE(f.ok);
  CHECK(f.value == "{}");
}

TEST_CASE("multipart: empty part, empty value, headers-only part, last duplicate wins") {
  const std::string body =
      "--b\r\n"
      "--b\r\n"
      "Content-Disposition: form-data; name=\"json\"\r\n"
      "\r\n"
      "first\r\n"
      "--b\r\n"
      "Content-Disposition: form-data; name=\"empty\"\r\n"
      "--b\r\n"
      "Content-Disposition: form-data; name=\"json\"\r\n"
      "\r\n"
      "second\r\n"
      "--b--\r\n";
  auto f = multipart_field(body, "b", "json");
  REQUIRE(f.ok);
  CHECK(f.value == "second");

  auto empty = multipart_field("--b\r\nContent-Disposition: form-data; name=json\r\n\r\n\r\n--b--",
                               "b", "json");
  REQUIRE(empty.ok);
  CHECK(empty.value.empty());
}

TEST_CASE("multipart: malformed bodies are errors, never crashes") {
  CHECK_FALSE(extract_request_json("multipart/form-data", curl_body("{}")).ok);  // no boundary
  CHECK_FALSE(extract_request_json("multipart/form-data; boundary=", curl_body("{}")).ok);
  CHECK_FALSE(extract_request_json("multipart/form-data; boundary=" + std::string(201, 'x'),
                                   curl_body("{}"))
                  .ok);
  CHECK_FALSE(multipart_field("", "b", "json").ok);
  CHECK_FALSE(multipart_field("no boundary at all", "b", "json").ok);
  CHECK_FALSE(multipart_field("--b\r\nContent-Disposition: form-data; name=json\r\n\r\nV", "b",
                              "json")
                  .ok);                                       // never closed
  CHECK_FALSE(multipart_field("--b--\r\n", "b", "json").ok);  // no parts at all
  CHECK_FALSE(multipart_field("x--b\r\n\r\nV\r\n--b--", "b", "json").ok);
  for (std::size_t cut = 0; cut < curl_body("{}").size(); ++cut) {
    // every truncation is either an error or still a well-formed answer
    auto f = multipart_field(curl_body("{}").substr(0, cut), kCurlBoundary, "json");
    if (f.ok) CHECK(f.value == "{}");
  }
}

TEST_CASE("header parameters") {
  CHECK(header_param("multipart/form-data; boundary=abc", "boundary") == "abc");
  CHECK(header_param("multipart/form-data; BOUNDARY=\"a\\\"b;c\"; x=1", "boundary") == "a\"b;c");
  CHECK(header_param("multipart/form-data; charset=x; boundary=  abc  ", "boundary") == "abc");
  CHECK_FALSE(header_param("multipart/form-data", "boundary").has_value());
  CHECK_FALSE(header_param("multipart/form-data; myboundary=abc", "boundary").has_value());
  CHECK(header_param("form-data; filename=\"x\"; name=\"json\"", "name") == "json");
}

TEST_CASE("urlencoded: + and %XX decoding, other fields, encoded names") {
  auto f = extract_request_json("application/x-www-form-urlencoded",
                                "a=1&json=%7B%22a%22%3A%22x%5C%2Fy+z%2B%22%7D&b=2");
  REQUIRE(f.ok);
  CHECK(f.value == "{\"a\":\"x\\/y z+\"}");

  auto named = urlencoded_field("%6Ason=%7b%7d", "json");  // lowercase hex, encoded name
  REQUIRE(named.ok);
  CHECK(named.value == "{}");

  auto last = urlencoded_field("&&json=1&&json=2&", "json");
  REQUIRE(last.ok);
  CHECK(last.value == "2");

  auto bare = urlencoded_field("json", "json");  // no '=': empty value
  REQUIRE(bare.ok);
  CHECK(bare.value.empty());

  auto charset = extract_request_json("application/x-www-form-urlencoded; charset=UTF-8", "json=x");
  REQUIRE(charset.ok);
  CHECK(charset.value == "x");
}

TEST_CASE("urlencoded: malformed escapes and a missing field are errors") {
  for (const char* body : {"json=%zz", "json=%", "json=%4", "json=ok&x=%g0", "%=1&json=x"}) {
    CAPTURE(body);
    CHECK_FALSE(urlencoded_field(body, "json").ok);
  }
  CHECK_FALSE(urlencoded_field("", "json").ok);
  CHECK_FALSE(urlencoded_field("jsonx=1&xjson=2", "json").ok);
}

TEST_CASE("raw body for JSON, missing or any other content type") {
  for (const char* type : {"application/json", "application/json; charset=utf-8", "", "text/plain",
                           "application/octet-stream"}) {
    CAPTURE(type);
    auto f = extract_request_json(type, "json=%zz");
    REQUIRE(f.ok);
    CHECK(f.value == "json=%zz");
  }
}

TEST_CASE("urlencoded: a body that is raw JSON (curl -d '{...}') is taken as it is") {
  const std::string json = "{\"signature\":\"a+b/c=\",\"k\":\"x&json=y%\"}";
  for (const std::string& body : {json, " \r\n\t" + json}) {
    auto f = extract_request_json("application/x-www-form-urlencoded", body);
    REQUIRE(f.ok);
    CHECK(f.value == body);  // no '+' turned into a space, no field split at '&'
  }
  // A form whose json field holds the object is still decoded as a form.
  auto form = extract_request_json("application/x-www-form-urlencoded", "json=%7B%7D");
  REQUIRE(form.ok);
  CHECK(form.value == "{}");
  CHECK_FALSE(extract_request_json("application/x-www-form-urlencoded", "[1]").ok);
}

// OvenMediaEngine AdmissionWebhooks (docs/hooks.md, OME): how a call is read,
// signed and answered. The bodies are OME's documented request format, from
// https://airensoft.gitbook.io/ovenmediaengine/access-control/admission-webhooks
// (github.com/AirenSoft/OvenMediaEngine, docs/access-control/admission-webhooks.md),
// with its "a | b" placeholders filled in.
#include <doctest/doctest.h>

#include <string>

#include "hooks/ome.hpp"

using namespace sevu;
using namespace sevu::hooks;

namespace {

std::string ome_body(const std::string& direction, const std::string& protocol,
                     const std::string& status, const std::string& url) {
  return R"({
  "client": 
  {
    "address": "211.233.58.86",
    "port": 29291,
    "real_ip": "192.0.2.43",
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36"
  },
  "request":
  {
    "direction": ")" +
         direction + R"(",
    "protocol": ")" +
         protocol + R"(",
    "status": ")" +
         status + R"(",
    "url": ")" +
         url + R"(",
    "new_url": "scheme://host[:port]/app/new_stream/file?query=value&query2=value2",
    "time": "2021-05-12T13:45:00.000Z"
  }
})";
}

OmeCall decode(const std::string& body) {
  std::string problem;
  auto c = decode_ome(body, problem);
  REQUIRE_MESSAGE(c.has_value(), problem);
  return *c;
}

std::string problem_of(const std::string& body) {
  std::string problem;
  CHECK_FALSE(decode_ome(body, problem));
  return problem;
}

HttpRequest signed_call(const std::string& body, const std::string& signature) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/hooks/ome";
  r.headers = {{"X-OME-Signature", signature}};
  r.body = body;
  return r;
}

}  // namespace

TEST_CASE("OME: a player's opening, as documented") {
  OmeCall c = decode(ome_body("outgoing", "webrtc", "opening",
                              "ws://host:3333/app/stream/file?key=k.1&pass=p%20w&query2=value2"));
  CHECK_FALSE(c.publish());
  CHECK_FALSE(c.closing());
  CHECK(c.address == "211.233.58.86");
  CHECK(c.port == 29291);
  CHECK(c.real_ip == "192.0.2.43");
  CHECK(c.client_ip() == "192.0.2.43");  // the proxy's word over the peer's address
  CHECK(c.session_id() == "211.233.58.86:29291");
  CHECK(c.app == "app");
  CHECK(c.stream == "stream");
  CHECK(c.credentials.key == std::optional<std::string>("k.1"));
  CHECK(c.credentials.pass == std::optional<std::string>("p w"));
  CHECK_FALSE(c.credentials.user);
}

TEST_CASE("OME: a publisher's user/pass, a closing, no real_ip") {
  OmeCall c = decode(ome_body("incoming", "rtmp", "closing",
                              "rtmp://host:1935/live/cam1?user=u&pass=secret"));
  CHECK(c.publish());
  CHECK(c.closing());
  CHECK(c.app == "live");
  CHECK(c.stream == "cam1");
  CHECK(c.credentials.user == std::optional<std::string>("u"));
  CHECK(c.credentials.pass == std::optional<std::string>("secret"));

  // Without real_ip (no proxy in front of OME), the connected address counts.
  OmeCall bare = decode(
      R"({"client":{"address":"2001:db8::7","port":5000},"request":{"direction":"outgoing",)"
      R"("protocol":"LLHLS","status":"opening","url":"https://h/a%20b/s/llhls.m3u8"}})");
  CHECK(bare.client_ip() == "2001:db8::7");
  CHECK(bare.session_id() == "[2001:db8::7]:5000");
  CHECK(bare.app == "a b");
  CHECK(bare.stream == "s");
  CHECK(bare.protocol == "LLHLS");  // lower-cased on the way to the usher
  CHECK_FALSE(bare.credentials.key);
}

TEST_CASE("OME: real_ip counts only from the peers --ome-real-ip-from names") {
  OmeCall c = decode(ome_body("outgoing", "webrtc", "opening", "ws://h/app/s?key=k&pass=p"));
  CHECK(c.client_ip("") == "192.0.2.43");                   // the default: every peer vouches
  CHECK(c.client_ip("none") == "211.233.58.86");            // no peer does
  CHECK(c.client_ip("211.233.58.0/24") == "192.0.2.43");    // the proxy is named
  CHECK(c.client_ip("10.0.0.0/8|::1") == "211.233.58.86");  // a viewer's own header
  CHECK(c.client_ip("::ffff:211.233.58.86") == "192.0.2.43");

  CHECK_FALSE(real_ip_from_problem(""));
  CHECK_FALSE(real_ip_from_problem("none"));
  CHECK_FALSE(real_ip_from_problem("10.0.0.0/8|2001:db8::/32|127.0.0.1"));
  CHECK(real_ip_from_problem("auto"));
  CHECK(real_ip_from_problem("10.0.0.0/8|auto/24"));
  CHECK(real_ip_from_problem("10.0.0.0/33"));
  CHECK(real_ip_from_problem("proxy.example"));
  CHECK(real_ip_from_problem("10.0.0.1|"));
}

TEST_CASE("OME: a thumbnail names no session; HLSv3 is read over several connections") {
  const auto request = [](const char* protocol) {
    return ome_call(signed_call(
                        ome_body("outgoing", protocol, "opening", "ws://h/app/s?key=k&pass=p"), ""),
                    "")
        .request;
  };
  CHECK(request("Thumbnail").action == UsherAction::kRecheck);
  CHECK(request("Thumbnail").session_id.empty());
  CHECK(request("HLSv3").session_id.empty());
  CHECK(request("LLHLS").session_id.empty());
  CHECK(request("WebRTC").session_id == "211.233.58.86:29291");
  CHECK(request("WebRTC").client_ip == "192.0.2.43");
}

TEST_CASE("OME: what is refused as malformed") {
  // The documentation's placeholders are no direction nor status.
  CHECK(problem_of(ome_body("incoming | outgoing", "webrtc", "opening", "ws://h/a/s")) ==
        "request.direction: must be incoming or outgoing");
  CHECK(problem_of(ome_body("outgoing", "webrtc", "opening | closing", "ws://h/a/s")) ==
        "request.status: must be opening or closing");
  CHECK(problem_of(ome_body("outgoing", "webrtc", "opening", "")) == "request.url: required");
  CHECK(problem_of(ome_body("outgoing", "webrtc", "opening", "ws://h/a%zz/s?key=k")) ==
        "request.url: malformed %-escape");
  // A bad escape in the viewer's query is no malformed call: it stays as it is.
  std::string problem;
  auto typo = decode_ome(ome_body("outgoing", "webrtc", "opening", "ws://h/a/s?key=%zz"), problem);
  REQUIRE(typo);
  CHECK(*typo->credentials.key == "%zz");
  CHECK(problem_of("[]") == "body must be a JSON object");
  CHECK(problem_of(R"({"request":{}})") == "client: required, an object");
  CHECK(problem_of(R"({"client":{"address":"1.2.3.4"},"request":"x"})") ==
        "request: required, an object");
  CHECK(problem_of(R"({"client":{"address":1},"request":{}})") ==
        "client.address: must be a string");
  CHECK(problem_of(R"({"client":{"address":"1.2.3.4","port":true},"request":{}})") ==
        "client.port: must be an integer");
  CHECK(problem_of(R"({"client":{"port":1},"request":{}})") == "client.address: required");
}

TEST_CASE("OME: X-OME-Signature is base64url(HMAC-SHA1(secret, body))") {
  const std::string body =
      R"({"client":{"address":"211.233.58.86","port":29291},"request":{"direction":"outgoing",)"
      R"("protocol":"webrtc","status":"opening","url":"ws://host:3333/app/stream",)"
      R"("time":"2021-05-12T13:45:00.000Z"}})";
  // Python: base64.urlsafe_b64encode(hmac.new(b"1234", body, hashlib.sha1).digest())
  CHECK(ome_signature("1234", body) == "-ME9oJ-ycq9cKTNItGwfz_boOhc");

  CHECK_FALSE(ome_signature_refusal(signed_call(body, "-ME9oJ-ycq9cKTNItGwfz_boOhc"), "1234"));
  // Padded, as base64url with '=' would be: the same signature.
  CHECK_FALSE(ome_signature_refusal(signed_call(body, "-ME9oJ-ycq9cKTNItGwfz_boOhc="), "1234"));

  auto refused = [&](const HttpRequest& r, const std::string& secret) {
    auto answer = ome_signature_refusal(r, secret);
    REQUIRE(answer);
    return answer->status;
  };
  CHECK(refused(signed_call(body, "+ME9oJ+ycq9cKTNItGwfz/boOhc="), "1234") == 401);  // base64
  CHECK(refused(signed_call(body, "-ME9oJ-ycq9cKTNItGwfz_boOhc"), "12345") == 401);
  CHECK(refused(signed_call(body + " ", "-ME9oJ-ycq9cKTNItGwfz_boOhc"), "1234") == 401);
  CHECK(refused(signed_call(body, ""), "1234") == 401);
  HttpRequest unsigned_call = signed_call(body, "");
  unsigned_call.headers.clear();
  CHECK(refused(unsigned_call, "1234") == 401);
  // No secret configured: nothing can be checked, so nothing is let through.
  CHECK(refused(signed_call(body, "-ME9oJ-ycq9cKTNItGwfz_boOhc"), "") == 401);
}

TEST_CASE("OME: lifetime counts to the ticket's expiry, never 0 (OME's forever)") {
  UsherDecision d;
  d.allowed = true;
  d.expires = 1000 + 3600;
  CHECK(ome_lifetime(d, 1000) == 3600 * 1000);
  CHECK(ome_lifetime(d, 1000 + 3600) == 1000);  // its last second
  d.expires.reset();
  CHECK_FALSE(ome_lifetime(d, 1000));  // a publisher: no expiry, no lifetime
  d.expires = 5000;
  d.allowed = false;
  CHECK_FALSE(ome_lifetime(d, 1000));
}

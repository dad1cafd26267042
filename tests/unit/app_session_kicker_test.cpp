// app/session_kicker: the API URLs, and which calls an ended session turns into,
// against a client that answers at once (tests/e2e/test_session_kick.py runs the
// real one against stand-ins for SRS and MediaMTX).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/cli_args.hpp"
#include "app/session_kicker.hpp"

namespace {

using sevu::HttpResponse;
using sevu::OutboundCall;
using sevu::OutboundDone;
using sevu::OutboundResult;

// Answers from a table (method + " " + target -> status, body); 404 otherwise.
// hold: keeps the callbacks unanswered instead.
struct FakeClient : sevu::HttpClient {
  std::map<std::string, std::pair<int, std::string>> answers;
  std::vector<OutboundCall> calls;
  bool hold = false;
  std::vector<OutboundDone> held;

  void send(OutboundCall call, OutboundDone done) override {
    const std::string line = call.request.method + " " + call.request.target;
    calls.push_back(std::move(call));
    if (hold) return held.push_back(std::move(done));
    HttpResponse r;
    auto it = answers.find(line);
    r.status = it == answers.end() ? 404 : it->second.first;
    r.body = it == answers.end() ? R"({"status":"error","error":"not found"})" : it->second.second;
    done(OutboundResult{r, {}});
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.request.method + " " + c.request.target);
    return out;
  }
};

struct Counts {
  std::vector<std::string> seen;
  sevu::SessionKicker::Counted counter() {
    return [this](std::string_view server, std::string_view result) {
      seen.push_back(std::string(server) + " " + std::string(result));
    };
  }
};

sevu::ViewingSession session(const std::string& server, const std::string& ref) {
  sevu::ViewingSession s;
  s.id = "0123";
  s.media_server = server;
  s.client_ref = ref;
  return s;
}

sevu::KickerConfig both() {
  sevu::KickerConfig config;
  config.srs = sevu::parse_media_server_api("--srs-api", "http://127.0.0.1:1985");
  config.mediamtx = sevu::parse_media_server_api("--mediamtx-api", "http://127.0.0.1:9997/base/");
  return config;
}

}  // namespace

TEST_CASE("API URLs: host, port, prefix and Basic credentials, never shown") {
  auto a = sevu::parse_media_server_api("--srs-api", "http://127.0.0.1:1985");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 1985);
  CHECK(a.base.empty());
  CHECK(a.authorization.empty());
  CHECK(a.shown == "http://127.0.0.1:1985");

  a = sevu::parse_media_server_api("--mediamtx-api", "http://u:p%40ss@[::1]:9997/api/");
  CHECK(a.host == "::1");
  CHECK(a.port == 9997);
  CHECK(a.base == "/api");
  CHECK(a.authorization == "Basic dTpwQHNz");  // base64("u:p@ss")
  CHECK(a.shown == "http://[::1]:9997/api");

  a = sevu::parse_media_server_api("--srs-api", "http://srs.internal");
  CHECK(a.host == "srs.internal");
  CHECK(a.port == 80);

  for (const char* bad : {"https://127.0.0.1:1985", "127.0.0.1:1985", "http://", "http://u@h:1",
                          "http://h:0x", "http://h:1/?q=1"}) {
    CHECK_THROWS_AS(sevu::parse_media_server_api("--srs-api", bad), sevu::UsageError);
  }
}

TEST_CASE("SRS: DELETE the client; code 0 kicked, 2049 gone") {
  FakeClient client;
  client.answers["DELETE /api/v1/clients/341w361a"] = {200, R"({"code":0,"server":"vid-1"})"};
  client.answers["DELETE /api/v1/clients/9x2k"] = {200, R"({"code":2049})"};
  client.answers["DELETE /api/v1/clients/bad"] = {200, R"({"code":1001})"};
  Counts counts;
  sevu::SessionKicker kicker(both(), &client, counts.counter());
  kicker.kick({session("srs", "341w361a"), session("srs", "9x2k"), session("srs", "bad"),
               session("srs", ""), session("srs", "a/../b")});
  CHECK(client.lines() == std::vector<std::string>{"DELETE /api/v1/clients/341w361a",
                                                   "DELETE /api/v1/clients/9x2k",
                                                   "DELETE /api/v1/clients/bad"});
  CHECK(counts.seen == std::vector<std::string>{"srs kicked", "srs gone", "srs failed",
                                                "srs unnamed", "srs unnamed"});
}

TEST_CASE("MediaMTX: the kick route of the protocol, under the URL's prefix") {
  FakeClient client;
  client.answers["POST /base/v3/rtmpsconns/kick/r1"] = {200, R"({"status":"ok"})"};
  client.answers["POST /base/v3/srtconns/kick/s1"] = {200, R"({"status":"ok"})"};
  client.answers["GET /base/v3/rtspconns/get/c1"] = {200, R"({"id":"c1","session":"x1"})"};
  client.answers["POST /base/v3/rtspsessions/kick/x1"] = {200, R"({"status":"ok"})"};
  Counts counts;
  sevu::SessionKicker kicker(both(), &client, counts.counter());
  kicker.kick({session("mediamtx", "rtmp:r1"), session("mediamtx", "srt:s1"),
               session("mediamtx", "rtsp:c1"), session("mediamtx", "webrtc:w1"),
               session("mediamtx", "nope:n1"), session("mediamtx", "r1")});
  CHECK(client.lines() == std::vector<std::string>{
                              "POST /base/v3/rtmpconns/kick/r1", "POST /base/v3/rtmpsconns/kick/r1",
                              "POST /base/v3/srtconns/kick/s1", "GET /base/v3/rtspconns/get/c1",
                              "POST /base/v3/rtspsessions/kick/x1",
                              "POST /base/v3/webrtcsessions/kick/w1"});
  CHECK(counts.seen == std::vector<std::string>{"mediamtx kicked", "mediamtx kicked",
                                                "mediamtx kicked", "mediamtx gone",
                                                "mediamtx unnamed", "mediamtx unnamed"});
}

TEST_CASE("Only configured servers; at most max_in_flight at once") {
  FakeClient client;
  client.hold = true;
  Counts counts;
  sevu::KickerConfig config;
  config.srs = sevu::parse_media_server_api("--srs-api", "http://u:pw@127.0.0.1:1985");
  config.max_in_flight = 2;
  sevu::SessionKicker kicker(config, &client, counts.counter());
  kicker.kick({session("mediamtx", "rtmp:r1"), session("nginx-rtmp", "7"), session("srs", "a1"),
               session("srs", "a2"), session("srs", "a3")});
  REQUIRE(client.calls.size() == 2);
  CHECK(client.calls[0].request.headers ==
        std::vector<std::pair<std::string, std::string>>{{"Authorization", "Basic dTpwdw=="}});
  CHECK(client.calls[0].host == "127.0.0.1");
  CHECK(client.calls[0].port == 1985);
  CHECK(counts.seen == std::vector<std::string>{"srs dropped"});
  client.held[0](OutboundResult{std::nullopt, "timed out after 2000 ms"});
  CHECK(counts.seen.back() == "srs failed");
  kicker.kick({session("srs", "a4")});  // room again
  CHECK(client.calls.size() == 3);
}

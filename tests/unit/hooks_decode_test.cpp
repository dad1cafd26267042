// How each media server's request is read (docs/hooks.md): which fields count, where
// the viewer's key/pass come from, and what is refused as malformed.
#include <doctest/doctest.h>

#include <string>

#include "hooks/auth_request.hpp"
#include "hooks/generic_check.hpp"
#include "hooks/mediamtx.hpp"
#include "hooks/nginx_rtmp.hpp"
#include "hooks/srs.hpp"
#include "hooks/wire_fields.hpp"

using namespace sevu;
using namespace sevu::hooks;

namespace {

// What nginx-rtmp 1.2 sends for on_play (session fields, then the call's, then
// the viewer's play args appended raw), see ngx_rtmp_notify_module.c.
const std::string kNginxPlay =
    "app=demo-origin&flashver=LNX%209%2C0%2C124%2C2&swfurl=&tcurl=rtmp%3A%2F%2F127.0.0.1%3A1935%"
    "2Fdemo-origin&pageurl=&addr=10.1.2.3&clientid=7&call=play&name=mystream&start=4294965296&"
    "duration=0&reset=0";

HttpRequest auth_subrequest(std::string uri, std::string ip = "10.9.8.7") {
  HttpRequest r;
  r.method = "GET";
  r.target = "/hooks/auth-request";
  r.headers = {{"X-Original-URI", std::move(uri)}, {"X-Real-IP", std::move(ip)}};
  return r;
}

AppVideo derive(const std::string& path, std::optional<std::string_view> app = std::nullopt,
                std::optional<std::string_view> video = std::nullopt) {
  std::string problem;
  auto out = derive_app_video(path, app, video, problem);
  REQUIRE_MESSAGE(out.has_value(), problem);
  return *out;
}

}  // namespace

TEST_CASE("nginx-rtmp: nginx's fields and the viewer's key/pass") {
  std::string problem;
  auto c =
      decode_nginx_rtmp(kNginxPlay + "&key=mystream.0123456789abcd.12345678&pass=p%20w", problem);
  REQUIRE(c);
  CHECK(c->call == "play");
  CHECK(c->addr == "10.1.2.3");
  CHECK(c->app == "demo-origin");
  CHECK(c->name == "mystream");
  CHECK(c->clientid == "7");
  CHECK(c->tcurl == "rtmp://127.0.0.1:1935/demo-origin");
  CHECK(c->credentials.key == std::optional<std::string>("mystream.0123456789abcd.12345678"));
  CHECK(c->credentials.pass == std::optional<std::string>("p w"));
  CHECK_FALSE(c->credentials.user);
}

TEST_CASE("nginx-rtmp: a viewer's duplicate call/addr/app/name never wins") {
  std::string problem;
  auto c = decode_nginx_rtmp(
      kNginxPlay + "&key=k&pass=p&call=publish&addr=1.2.3.4&app=other-app&name=other&clientid=1",
      problem);
  REQUIRE(c);
  CHECK(c->call == "play");
  CHECK(c->addr == "10.1.2.3");
  CHECK(c->app == "demo-origin");
  CHECK(c->name == "mystream");
  CHECK(c->clientid == "7");
  // ... while the viewer's own first key stays the one used.
  auto twice = decode_nginx_rtmp(kNginxPlay + "&key=first&key=second", problem);
  REQUIRE(twice);
  CHECK(*twice->credentials.key == "first");
}

TEST_CASE("nginx-rtmp: credentials in the connect URL are used when the play args lack them") {
  std::string problem;
  auto c = decode_nginx_rtmp(
      "app=demo-origin&flashver=&swfurl=&tcurl=rtmp%3A%2F%2Fh%2Fdemo-origin%3Fkey%3Dk1%26pass%3Dp1&"
      "pageurl=&addr=10.1.2.3&clientid=7&call=play&name=mystream&start=0&duration=0&reset=0",
      problem);
  REQUIRE(c);
  CHECK(*c->credentials.key == "k1");
  CHECK(*c->credentials.pass == "p1");
  // The play args win over the connect URL.
  auto both = decode_nginx_rtmp(
      "app=a&tcurl=rtmp%3A%2F%2Fh%2Fa%3Fkey%3Dk1%26pass%3Dp1&addr=1.1.1.1&call=play&name=s&key=k2",
      problem);
  REQUIRE(both);
  CHECK(*both->credentials.key == "k2");
  CHECK(*both->credentials.pass == "p1");
}

TEST_CASE("nginx-rtmp: publish carries user/pass; malformed bodies are refused") {
  std::string problem;
  auto p = decode_nginx_rtmp(
      "app=demo-origin&flashver=FMLE&swfurl=&tcurl=rtmp%3A%2F%2Fh%2Fdemo-origin&pageurl=&addr=127."
      "0.0.1&"
      "clientid=3&call=publish&name=mystream&type=live&user=enc1&pass=s3cret",
      problem);
  REQUIRE(p);
  CHECK(p->call == "publish");
  CHECK(*p->credentials.user == "enc1");
  CHECK(*p->credentials.pass == "s3cret");

  CHECK_FALSE(decode_nginx_rtmp("", problem));
  CHECK(problem == "no call field");
  // The viewer's query is appended raw: a bad escape stays as PHP and nginx leave it.
  auto typo = decode_nginx_rtmp("call=play&addr=1.2.3.4&name=x&key=%zz&pass=a%2", problem);
  REQUIRE(typo);
  CHECK(*typo->credentials.key == "%zz");
  CHECK(*typo->credentials.pass == "a%2");
  CHECK_FALSE(decode_nginx_rtmp("call=play&name=x", problem));  // no addr
  CHECK(decode_nginx_rtmp("call=update_play&time=30&timestamp=1&name=x", problem));
}

TEST_CASE("auth_request: app and video from the path (docs/hooks.md examples)") {
  auto vod = derive("/demo-vod/sestore3/demo/a.mp4/playlist.m3u8");
  CHECK(vod.app == "demo-vod");
  CHECK(vod.video == "sestore3/demo/a.mp4");
  auto seg = derive("/demo-vod/sestore3/demo/a.mp4/media_w123_4.ts");
  CHECK(seg.video == "sestore3/demo/a.mp4");

  CHECK(derive("/hls/mystream.m3u8").app == "hls");
  CHECK(derive("/hls/mystream.m3u8").video == "mystream");
  CHECK(derive("/hls/mystream-12.ts").video == "mystream");
  CHECK(derive("/hls/mystream_7.ts").video == "mystream");
  CHECK(derive("/dash/mystream-init.m4a").video == "mystream");
  CHECK(derive("/dash/mystream-12345.m4s").video == "mystream");
  CHECK(derive("/dash/mystream.mpd").video == "mystream");
  // A playlist keeps its whole name: "cam_1.m3u8" is the stream "cam_1"...
  CHECK(derive("/hls/cam_1.m3u8").video == "cam_1");
  // ... and its segments map to the same stream.
  CHECK(derive("/hls/cam_1-3.ts").video == "cam_1");
  CHECK(derive("/hls/my-stream.ts").video == "my-stream");  // "stream" is no number
  // Nested layout (hls_nested): the directory is the stream.
  CHECK(derive("/hls/mystream/index.m3u8").video == "mystream");
  CHECK(derive("/hls/mystream/12.ts").video == "mystream");
  // Slashes collapse as nginx merges them; escapes decode.
  CHECK(derive("//demo-vod//a%20b//x.m3u8").video == "a b");
}

TEST_CASE("auth_request: X-Sevu-App / X-Sevu-Video override, the slot is dropped either way") {
  auto a = derive("/hls/mystream.m3u8", std::string_view("demo-origin"));
  CHECK(a.app == "demo-origin");
  CHECK(a.video == "mystream");
  auto v =
      derive("/hls/mystream/12.ts", std::string_view("demo-origin"), std::string_view("live1"));
  CHECK(v.app == "demo-origin");
  CHECK(v.video == "live1");
  auto nothing = derive("/hls");
  CHECK(nothing.app == "hls");
  CHECK(nothing.video == "");
}

TEST_CASE("auth_request: dot segments and bad escapes are refused") {
  std::string problem;
  CHECK_FALSE(derive_app_video("/demo-origin/../other/x.m3u8", {}, {}, problem));
  CHECK_FALSE(derive_app_video("/demo-origin/%2e%2e/other/x.m3u8", {}, {}, problem));
  CHECK_FALSE(derive_app_video("/demo-origin%2F..%2Fother/x.m3u8", {}, {}, problem));
  CHECK_FALSE(derive_app_video("/a/./x.m3u8", {}, {}, problem));
  CHECK_FALSE(derive_app_video("/a/%zz.m3u8", {}, {}, problem));
  CHECK_FALSE(derive_app_video("/a/b%00.m3u8", {}, {}, problem));
}

TEST_CASE("auth_request: the subrequest's headers") {
  std::string problem;
  auto req = auth_subrequest("/hls/mystream.m3u8?pass=p%2B1&key=k&key=other");
  req.headers.emplace_back("Referer", "https://site.example/page");
  auto a = decode_auth_request(req, problem);
  REQUIRE_MESSAGE(a, problem);
  CHECK(a->credentials.key == "k");
  CHECK(a->credentials.pass == "p+1");
  CHECK(a->client_ip == "10.9.8.7");
  CHECK(a->action == UsherAction::kView);
  CHECK(a->app == "hls");
  CHECK(a->video == "mystream");
  CHECK(a->refurl == "https://site.example/page");

  auto absolute =
      decode_auth_request(auth_subrequest("http://cdn.example/hls/x-1.ts?key=k"), problem);
  REQUIRE(absolute);
  CHECK(absolute->app == "hls");
  CHECK(absolute->video == "x");

  auto keyless = decode_auth_request(auth_subrequest("/hls/x.m3u8"), problem);
  REQUIRE(keyless);
  CHECK_FALSE(keyless->credentials.key);

  HttpRequest no_uri;
  no_uri.headers = {{"X-Real-IP", "1.1.1.1"}};
  CHECK_FALSE(decode_auth_request(no_uri, problem));
  HttpRequest no_ip;
  no_ip.headers = {{"X-Original-URI", "/a/b.m3u8"}};
  CHECK_FALSE(decode_auth_request(no_ip, problem));
  auto typo = decode_auth_request(auth_subrequest("/a/b.m3u8?key=%g1&pass=%"), problem);
  REQUIRE(typo);
  CHECK(*typo->credentials.key == "%g1");
  CHECK(*typo->credentials.pass == "%");
}

TEST_CASE("SRS: on_play body, key/pass from param") {
  // Shape of SrsHttpHooks::on_play in ossrs/srs trunk/src/app/srs_app_http_hooks.cpp (v5/v6).
  const char* body = R"({"server_id":"vid-0xk989d","service_id":"2e9b8c1a","action":"on_play",
    "client_id":"341w361a","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"demo-origin",
    "stream":"mystream","tcUrl":"rtmp://127.0.0.1:1935/demo-origin",
    "param":"?key=mystream.0123456789abcd.12345678&pass=pw&key=later",
    "pageUrl":"http://site.example/p.html","stream_url":"/demo-origin/mystream",
    "stream_id":"vid-1"})";
  std::string problem;
  auto c = decode_srs(body, problem);
  REQUIRE_MESSAGE(c, problem);
  CHECK(c->action == "on_play");
  CHECK(c->ip == "127.0.0.1");
  CHECK(c->app == "demo-origin");
  CHECK(c->stream == "mystream");
  CHECK(*c->credentials.key == "mystream.0123456789abcd.12345678");
  CHECK(*c->credentials.pass == "pw");
  CHECK(c->page_url == "http://site.example/p.html");

  // SRS's HLS context names the stream by its playlist file; the ticket names
  // the stream.
  auto hls = decode_srs(R"({"action":"on_play","client_id":"k2","ip":"10.0.0.9","app":"demo-origin",
      "stream":"mystream.m3u8","param":"?key=k&pass=p"})",
                        problem);
  REQUIRE_MESSAGE(hls, problem);
  CHECK(hls->stream == "mystream");
  auto vod = decode_srs(R"({"action":"on_play","ip":"10.0.0.9","stream":"film.mp4"})", problem);
  REQUIRE_MESSAGE(vod, problem);
  CHECK(vod->stream == "film.mp4");
  auto bare = decode_srs(R"({"action":"on_play","ip":"10.0.0.9","stream":".m3u8"})", problem);
  REQUIRE_MESSAGE(bare, problem);
  CHECK(bare->stream == ".m3u8");

  // SRS 2/3 had integer client ids and no param: key in tcUrl's query.
  auto old = decode_srs(R"({"action":"on_play","client_id":1985,"ip":"192.168.1.10",
      "vhost":"video.test.com","app":"live","stream":"livestream",
      "tcUrl":"rtmp://video.test.com/live?key=abc&pass=def","pageUrl":""})",
                        problem);
  REQUIRE_MESSAGE(old, problem);
  CHECK(*old->credentials.key == "abc");
  CHECK(*old->credentials.pass == "def");

  CHECK_FALSE(decode_srs("not json", problem));
  CHECK_FALSE(decode_srs("[1]", problem));
  CHECK_FALSE(decode_srs(R"({"action":"on_play","ip":7})", problem));
  CHECK_FALSE(decode_srs(R"({"ip":"1.1.1.1"})", problem));
  // A bad escape in the viewer's param stays as it is, as PHP and nginx leave it.
  auto typo = decode_srs(R"({"action":"on_play","ip":"1.1.1.1","param":"?key=%"})", problem);
  REQUIRE(typo);
  CHECK(*typo->credentials.key == "%");
}

TEST_CASE("MediaMTX: credentials from user/password or from the query") {
  // Shape of authenticateHTTP in bluenviron/mediamtx internal/auth/manager.go.
  std::string problem;
  auto q = decode_mediamtx(R"({"ip":"127.0.0.1","user":"","password":"","token":"",
      "action":"read","path":"demo-origin/mystream","protocol":"rtsp",
      "id":"5b6c3f0e-5a3a-4a43-a8d5-0c5a4f3e1a2b","query":"key=k1&pass=p1"})",
                           problem);
  REQUIRE_MESSAGE(q, problem);
  CHECK(q->app == "demo-origin");
  CHECK(q->video == "mystream");
  CHECK(*q->credentials.key == "k1");
  CHECK(*q->credentials.pass == "p1");

  auto login = decode_mediamtx(R"({"ip":"::1","user":"k2","password":"p2","token":"",
      "action":"playback","path":"demo-vod/sestore3/demo/a.mp4","protocol":"",
      "id":null,"query":"key=k1&pass=p1"})",
                               problem);
  REQUIRE_MESSAGE(login, problem);
  CHECK(login->app == "demo-vod");
  CHECK(login->video == "sestore3/demo/a.mp4");
  CHECK(*login->credentials.key == "k2");
  CHECK(*login->credentials.pass == "p2");

  // Only a user (no password): the query is used.
  auto half = decode_mediamtx(
      R"({"ip":"1.1.1.1","user":"k2","password":"","action":"read","path":"a/b","query":"key=k3"})",
      problem);
  REQUIRE(half);
  CHECK(*half->credentials.key == "k3");
  CHECK_FALSE(half->credentials.pass);

  auto pub = decode_mediamtx(R"({"ip":"1.1.1.1","user":"","password":"","action":"publish",
      "path":"demo-origin/mystream","protocol":"rtmp","id":null,"query":"user=enc&pass=pw"})",
                             problem);
  REQUIRE(pub);
  CHECK(*pub->credentials.user == "enc");
  CHECK(*pub->credentials.pass == "pw");
  CHECK_FALSE(pub->credentials.key);

  CHECK_FALSE(decode_mediamtx("{", problem));
  CHECK_FALSE(decode_mediamtx(R"({"action":"read","path":5})", problem));
  CHECK_FALSE(decode_mediamtx(R"({"path":"a/b"})", problem));
}

TEST_CASE("credentials read from a query as from its parsed pairs") {
  // credentials_from_query decodes only key, user and pass; what it gives must
  // be what the pairs give, for every way a query can be written.
  const char* queries[] = {
      "key=k1&pass=p1",
      "?key=k1&pass=p1",
      "pass=a+b%20c&key=k%2F1&user=u",
      "key=first&key=second&pass=&pass=late",  // the first wins, even empty
      "ke%79=encoded-name&key=plain",          // a name is decoded before it is compared
      "&&key&pass=%zz%4&x=%41",                // no '=', empty pieces, escapes kept literal
      "+key=spaced&user=%75",
      "",
      "?",
      "video=a&app=b",
  };
  for (const char* q : queries) {
    CAPTURE(q);
    const Credentials fast = credentials_from_query(q);
    const Credentials full = credentials_from(parse_query_text(q));
    CHECK(fast.key == full.key);
    CHECK(fast.user == full.user);
    CHECK(fast.pass == full.pass);
  }
  const Credentials c = credentials_from_query("pass=a+b%20c&key=k%2F1");
  CHECK(*c.key == "k/1");
  CHECK(*c.pass == "a b c");
  CHECK_FALSE(c.user);
  CHECK(*credentials_from_query("ke%79=encoded-name&key=plain").key == "encoded-name");
  CHECK(*credentials_from_query("&&key&pass=%zz%4").pass == "%zz%4");
  CHECK(*credentials_from_query("&&key&pass=%zz%4").key == "");

  // What the query lacks comes from the connect URL's query, as for credentials_from.
  const Credentials both =
      credentials_from_query("key=k1", "rtmp://h/app?key=url-key&pass=url-pass&user=u");
  CHECK(*both.key == "k1");
  CHECK(*both.pass == "url-pass");
  CHECK(*both.user == "u");
  CHECK_FALSE(credentials_from_query("", "rtmp://h/app").key);
}

TEST_CASE("generic check: fields, defaults, refusals") {
  std::string problem;
  auto c = decode_generic_check(
      R"({"key":"k","pass":"p","ip":"1.2.3.4","app":"demo-origin","video":"mystream"})", problem);
  REQUIRE_MESSAGE(c, problem);
  CHECK(c->action == "play");
  CHECK(c->request.protocol == "play");
  CHECK(c->request.credentials.key == "k");

  auto keyless =
      decode_generic_check(R"({"ip":"1.2.3.4","app":"demo-origin","video":"mystream"})", problem);
  REQUIRE(keyless);  // decided (and logged) as Invalid Auth Token, not refused
  CHECK_FALSE(keyless->request.credentials.key);

  CHECK_FALSE(decode_generic_check(R"({"key":"k","pass":"p","app":"a","video":"v"})", problem));
  CHECK(problem == "ip: required");
  CHECK_FALSE(decode_generic_check(R"({"key":1,"ip":"1.1.1.1","app":"a","video":"v"})", problem));
  CHECK_FALSE(
      decode_generic_check(R"({"ip":"1.1.1.1","app":"a","video":"v","action":"delete"})", problem));
  CHECK_FALSE(decode_generic_check("", problem));
}

TEST_CASE("JSON decoders refuse nesting beyond the limit, however deep") {
  // 150,000 levels once overflowed the stack of rapidjson's recursive parser.
  for (const int depth : {33, 150000}) {
    const std::string deep = std::string(static_cast<std::size_t>(depth), '[') +
                             std::string(static_cast<std::size_t>(depth), ']');
    for (const std::string& body : {deep, "{\"key\":" + deep + "}", "{\"param\":" + deep + "}"}) {
      CAPTURE(depth);
      std::string problem;
      CHECK_FALSE(decode_generic_check(body, problem));
      CHECK(problem.find("nested deeper") != std::string::npos);
      problem.clear();
      CHECK_FALSE(decode_srs(body, problem));
      CHECK(problem.find("nested deeper") != std::string::npos);
      problem.clear();
      CHECK_FALSE(decode_mediamtx(body, problem));
      CHECK(problem.find("nested deeper") != std::string::npos);
    }
  }
}

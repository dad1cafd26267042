// HTTP Basic authentication on /v2/ and the routing errors around it.
#include "v2/basic_auth.hpp"
#include "v2_fixture.hpp"

using namespace v2test;

TEST_CASE("parse_basic_auth") {
  auto c = v2::parse_basic_auth("Basic " + base64_encode("158:s3cret"));
  REQUIRE(c);
  CHECK(c->user == "158");
  CHECK(c->password == "s3cret");
  auto lower = v2::parse_basic_auth("  basic   " + base64_encode("1:a:b") + " ");
  REQUIRE(lower);
  CHECK(lower->password == "a:b");  // only the first colon separates
  CHECK_FALSE(v2::parse_basic_auth("Bearer " + base64_encode("158:x")));
  CHECK_FALSE(v2::parse_basic_auth("Basic"));
  CHECK_FALSE(v2::parse_basic_auth("Basic !!!notbase64"));
  CHECK_FALSE(v2::parse_basic_auth("Basic " + base64_encode("no-colon")));
  CHECK_FALSE(v2::parse_basic_auth("Basicx " + base64_encode("1:2")));
}

namespace {

void check_401(const Reply& r) {
  CHECK(r.status == 401);
  CHECK(r.error() == "UNAUTHORIZED");
  CHECK(r.header("WWW-Authenticate") == "Basic realm=\"sevu\"");
}

}  // namespace

TEST_CASE("requests without valid credentials get 401 with WWW-Authenticate") {
  Fixture fx;
  check_401(fx.call("GET", "/v2/sevu_token", "", ""));
  check_401(fx.call("GET", "/v2/sevu_token", "", basic(kDemoCdn, kOtherSecret)));
  check_401(fx.call("GET", "/v2/sevu_token", "", basic(kDemoCdn, kDemoSecret + "0")));
  check_401(fx.call("GET", "/v2/sevu_token", "", basic(kDemoCdn, "")));
  check_401(fx.call("GET", "/v2/sevu_token", "", basic(999999, kDemoSecret)));
  check_401(fx.call("GET", "/v2/sevu_token", "", "Basic " + base64_encode("demo:" + kDemoSecret)));
  check_401(fx.call("GET", "/v2/sevu_token", "", "Basic " + base64_encode("-158:" + kDemoSecret)));
  check_401(fx.call("GET", "/v2/sevu_token", "", "Bearer " + kDemoSecret));
  check_401(fx.call("GET", "/v2/sevu_token", "", "Basic %%%"));
  // Credentials come first: an unknown route or method is not even confirmed.
  check_401(fx.call("GET", "/v2/nothing", "", ""));
  check_401(fx.call("PATCH", "/v2/sevu_token", "", ""));
  // The account's own cdn id with the other account's secret fails too.
  check_401(fx.call("GET", "/v2/sevu_token", "", basic(kOtherCdn, kDemoSecret)));
}

TEST_CASE("a disabled account is refused") {
  Fixture fx;
  CHECK(fx.call("GET", "/v2/sevu_token").status == 200);
  REQUIRE(fx.store->set_account_active(kDemoCdn, false));
  Reply r = fx.call("GET", "/v2/sevu_token");
  check_401(r);
  CHECK(r.str("message") == "account disabled");
  REQUIRE(fx.store->set_account_active(kDemoCdn, true));
  CHECK(fx.call("GET", "/v2/sevu_token").status == 200);
}

TEST_CASE("the lowercase scheme and a rotated secret") {
  Fixture fx;
  CHECK(
      fx.call("GET", "/v2/sevu_token", "", "basic " + base64_encode("158:" + kDemoSecret)).status ==
      200);
  const std::string rotated(64, 'f');
  REQUIRE(fx.store->set_account_secret(kDemoCdn, rotated));
  check_401(fx.call("GET", "/v2/sevu_token"));
  CHECK(fx.call("GET", "/v2/sevu_token", "", basic(kDemoCdn, rotated)).status == 200);
}

TEST_CASE("unknown routes are 404 NOT_FOUND with a null field") {
  Fixture fx;
  for (const char* path :
       {"/v2", "/v2/", "/v2/nothing", "/v2/sevu_token/", "/v2/sevu_attempt", "/v2/sevu_attempt/",
        "/v2/sevu_token//sevu_attempt", "/v2/sevu_token/k/other", "/v2/sevu_token/k/sevu_attempt/x",
        "/v2/sevu_attempt/k/x", "/v2/sevu_token/%zz", "/v2/SEVU_TOKEN", "/v2/stream_user"}) {
    CAPTURE(path);
    Reply r = fx.call("GET", path);
    CHECK(r.status == 404);
    CHECK(r.error() == "NOT_FOUND");
    REQUIRE(r.json.HasMember("field"));
    CHECK(r.json["field"].IsNull());
    CHECK(r.json.HasMember("message"));
    CHECK(r.json.MemberCount() == 3);
  }
}

TEST_CASE("wrong methods are 405 METHOD_NOT_ALLOWED with Allow") {
  Fixture fx;
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const Case& c :
       {Case{"POST", "/v2/sevu_token", "GET, PUT"}, Case{"DELETE", "/v2/sevu_token", "GET, PUT"},
        Case{"PATCH", "/v2/sevu_token", "GET, PUT"},
        Case{"PUT", "/v2/sevu_token/k", "GET, POST, DELETE"},
        Case{"HEAD", "/v2/sevu_token/k/sessions/s", "DELETE"},  // HEAD goes where GET does
        Case{"POST", "/v2/sevu_token/k/sevu_attempt", "GET"},
        Case{"DELETE", "/v2/sevu_attempt/k", "GET"}, Case{"PUT", "/v2/sevu_attempt/k", "GET"}}) {
    CAPTURE(c.method);
    CAPTURE(c.path);
    Reply r = fx.call(c.method, c.path, "{}");
    CHECK(r.status == 405);
    CHECK(r.error() == "METHOD_NOT_ALLOWED");
    CHECK(r.header("Allow") == c.allow);
  }
}

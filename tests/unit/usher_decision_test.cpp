// The usher's decision (docs/hooks.md): checks in order, the first failure is the
// reason; auto bindings come back in ip_after only on success.
#include <doctest/doctest.h>

#include <array>
#include <functional>
#include <string>

#include "usher/decision.hpp"

using sevu::Ticket;
using sevu::usher::decide;
using sevu::usher::Decision;
using sevu::usher::PlayRequest;
using sevu::usher::Reason;
using sevu::usher::reason_text;
using sevu::usher::recheck;

namespace {

constexpr int64_t kNow = 1'700'000'000;

Ticket good_ticket() {
  Ticket t;
  t.key = "mystream.53ffc996dd39d5.39102367";
  t.pass = "g63clVAI5wFPxY9vwVOJvw6L";
  t.ip = "10.0.0.0/8";
  t.video = "mystream|sestore3/demo/*";
  t.app = "demo-origin|demo-vod-*";
  t.uses = 5;
  t.active = true;
  t.created = kNow - 3600;
  t.expires = kNow + 3600;
  return t;
}

PlayRequest good_request() {
  PlayRequest r;
  r.key = "mystream.53ffc996dd39d5.39102367";
  r.pass = "g63clVAI5wFPxY9vwVOJvw6L";
  r.ip = "10.1.2.3";
  r.app = "demo-origin";
  r.video = "mystream";
  return r;
}

// One way to break each check, in the documented order (index = position of the check).
struct Breakage {
  Reason reason;
  std::function<void(Ticket&, PlayRequest&, int64_t&)> apply;
};

const std::array<Breakage, 8>& breakages() {
  static const std::array<Breakage, 8> all = {{
      {Reason::kInvalidAuthToken,
       [](Ticket&, PlayRequest& r, int64_t&) { r.pass = "g63clVAI5wFPxY9vwVOJvw6Lx"; }},
      {Reason::kAccountDisabled,
       [](Ticket&, PlayRequest& r, int64_t&) { r.account_active = false; }},
      {Reason::kTokenRevoked, [](Ticket& t, PlayRequest&, int64_t&) { t.active = false; }},
      {Reason::kExpired, [](Ticket& t, PlayRequest&, int64_t& now) { now = t.expires + 1; }},
      {Reason::kWrongApplication, [](Ticket&, PlayRequest& r, int64_t&) { r.app = "other-app"; }},
      {Reason::kExceededMaxViews, [](Ticket& t, PlayRequest&, int64_t&) { t.uses = 0; }},
      {Reason::kInvalidIp, [](Ticket&, PlayRequest& r, int64_t&) { r.ip = "192.168.0.1"; }},
      {Reason::kWrongVideo, [](Ticket&, PlayRequest& r, int64_t&) { r.video = "otherstream"; }},
  }};
  return all;
}

}  // namespace

TEST_CASE("reason strings are exact") {
  CHECK(std::string(reason_text(Reason::kInvalidAuthToken)) == "Invalid Auth Token");
  CHECK(std::string(reason_text(Reason::kAccountDisabled)) == "Account Disabled");
  CHECK(std::string(reason_text(Reason::kTokenRevoked)) == "Token Revoked");
  CHECK(std::string(reason_text(Reason::kExpired)) == "Expiration date surpassed");
  CHECK(std::string(reason_text(Reason::kWrongApplication)) == "Wrong Application");
  CHECK(std::string(reason_text(Reason::kExceededMaxViews)) == "Exceeded max views");
  CHECK(std::string(reason_text(Reason::kInvalidIp)) == "Invalid IP Address");
  CHECK(std::string(reason_text(Reason::kWrongVideo)) == "Not authorized for that video");
  CHECK(std::string(reason_text(Reason::kSuccess)) == "Success");
}

TEST_CASE("a good ticket is granted") {
  const Ticket t = good_ticket();
  const Decision d = decide(&t, good_request(), kNow);
  CHECK(d.granted());
  CHECK(d.reason == Reason::kSuccess);
  CHECK(d.ip_after == t.ip);
}

TEST_CASE("unknown key: Invalid Auth Token with an empty ip_after") {
  const Decision d = decide(nullptr, good_request(), kNow);
  CHECK_FALSE(d.granted());
  CHECK(d.reason == Reason::kInvalidAuthToken);
  CHECK(d.ip_after.empty());
}

TEST_CASE("any difference in the pass is Invalid Auth Token") {
  const Ticket t = good_ticket();
  const std::string passes[] = {"",
                                "g63clVAI5wFPxY9vwVOJvw6",
                                "g63clVAI5wFPxY9vwVOJvw6LL",
                                "G63clVAI5wFPxY9vwVOJvw6L",
                                "g63clVAI5wFPxY9vwVOJvw6M",
                                std::string("g63clVAI5wFPxY9vwVOJvw6L\0", 25)};
  for (const std::string& pass : passes) {
    PlayRequest r = good_request();
    r.pass = pass;
    const Decision d = decide(&t, r, kNow);
    CHECK(d.reason == Reason::kInvalidAuthToken);
    CHECK(d.ip_after == t.ip);
  }
  Ticket empty_pass = good_ticket();
  empty_pass.pass = "";
  PlayRequest r = good_request();
  r.pass = "";
  CHECK(decide(&empty_pass, r, kNow).granted());  // equal is equal, even when empty
}

TEST_CASE("each check alone gives its own reason") {
  for (const Breakage& b : breakages()) {
    Ticket t = good_ticket();
    PlayRequest r = good_request();
    int64_t now = kNow;
    b.apply(t, r, now);
    const Decision d = decide(&t, r, now);
    INFO(reason_text(b.reason));
    CHECK(d.reason == b.reason);
    CHECK_FALSE(d.granted());
    CHECK(d.ip_after == t.ip);
  }
}

TEST_CASE("with several checks failing, the first in the documented order is reported") {
  const auto& all = breakages();
  for (unsigned mask = 1; mask < (1u << all.size()); ++mask) {
    Ticket t = good_ticket();
    PlayRequest r = good_request();
    int64_t now = kNow;
    Reason expected = Reason::kSuccess;
    for (size_t i = all.size(); i-- > 0;) {
      if ((mask >> i) & 1u) {
        all[i].apply(t, r, now);
        expected = all[i].reason;  // the lowest set bit wins, applied last
      }
    }
    INFO("mask=" << mask);
    CHECK(decide(&t, r, now).reason == expected);
  }
}

TEST_CASE("expiry boundary: the expiry second itself still plays") {
  const Ticket t = good_ticket();
  CHECK(decide(&t, good_request(), t.expires).granted());
  CHECK(decide(&t, good_request(), t.expires - 1).granted());
  CHECK(decide(&t, good_request(), t.expires + 1).reason == Reason::kExpired);
  CHECK(recheck(t, good_request(), t.expires) == Reason::kSuccess);
  CHECK(recheck(t, good_request(), t.expires + 1) == Reason::kExpired);
}

TEST_CASE("uses: the last one is granted, none or negative is refused") {
  Ticket t = good_ticket();
  t.uses = 1;
  CHECK(decide(&t, good_request(), kNow).granted());
  t.uses = 0;
  CHECK(decide(&t, good_request(), kNow).reason == Reason::kExceededMaxViews);
  t.uses = -3;
  CHECK(decide(&t, good_request(), kNow).reason == Reason::kExceededMaxViews);
}

TEST_CASE("app and video use pipe lists with wildcards") {
  const Ticket t = good_ticket();
  PlayRequest r = good_request();
  r.app = "demo-vod-eu";
  r.video = "sestore3/demo/set1/a.mp4";
  CHECK(decide(&t, r, kNow).granted());
  r.app = "Demo-origin";
  CHECK(decide(&t, r, kNow).reason == Reason::kWrongApplication);
  r.app = "demo-origin";
  r.video = "sestore3/other/a.mp4";
  CHECK(decide(&t, r, kNow).reason == Reason::kWrongVideo);
  r.video = "";
  CHECK(decide(&t, r, kNow).reason == Reason::kWrongVideo);
}

TEST_CASE("success returns the auto binding; failures return the ticket's ip") {
  Ticket t = good_ticket();
  t.ip = "auto/24|auto/24";
  PlayRequest r = good_request();
  r.ip = "1.2.3.4";
  const Decision first = decide(&t, r, kNow);
  CHECK(first.granted());
  CHECK(first.ip_after == "1.2.3.0/24|auto/24");

  // A later check failing after the ip check leaves the slot unbound.
  PlayRequest wrong_video = r;
  wrong_video.video = "nope";
  const Decision refused = decide(&t, wrong_video, kNow);
  CHECK(refused.reason == Reason::kWrongVideo);
  CHECK(refused.ip_after == "auto/24|auto/24");

  t.ip = first.ip_after;
  r.ip = "1.2.3.99";
  CHECK(decide(&t, r, kNow).ip_after == "1.2.3.0/24|auto/24");
  r.ip = "5.6.7.8";
  const Decision second = decide(&t, r, kNow);
  CHECK(second.granted());
  CHECK(second.ip_after == "1.2.3.0/24|5.6.7.0/24");
  t.ip = second.ip_after;
  r.ip = "9.9.9.9";
  const Decision third = decide(&t, r, kNow);
  CHECK(third.reason == Reason::kInvalidIp);
  CHECK(third.ip_after == "1.2.3.0/24|5.6.7.0/24");
}

TEST_CASE("an empty ip list admits everyone") {
  Ticket t = good_ticket();
  t.ip = "";
  PlayRequest r = good_request();
  for (const char* client : {"1.2.3.4", "2001:db8::1", "::ffff:8.8.8.8"}) {
    r.ip = client;
    const Decision d = decide(&t, r, kNow);
    CHECK(d.granted());
    CHECK(d.ip_after.empty());
  }
}

TEST_CASE("recheck: same checks minus uses, and never binds") {
  Ticket t = good_ticket();
  PlayRequest r = good_request();
  CHECK(recheck(t, r, kNow) == Reason::kSuccess);
  t.uses = 0;
  CHECK(recheck(t, r, kNow) == Reason::kSuccess);  // uses are spent at start only

  for (const Breakage& b : breakages()) {
    if (b.reason == Reason::kExceededMaxViews) continue;
    Ticket bt = good_ticket();
    PlayRequest br = good_request();
    int64_t now = kNow;
    b.apply(bt, br, now);
    INFO(reason_text(b.reason));
    CHECK(recheck(bt, br, now) == b.reason);
  }

  // Order holds in recheck too: revoked and expired beats everything after.
  Ticket revoked = good_ticket();
  revoked.active = false;
  PlayRequest bad = good_request();
  bad.video = "x";
  bad.ip = "8.8.8.8";
  CHECK(recheck(revoked, bad, revoked.expires + 10) == Reason::kTokenRevoked);
}

TEST_CASE("recheck: a client that would bind a free auto slot is refused") {
  Ticket t = good_ticket();
  t.ip = "auto";
  PlayRequest r = good_request();
  r.ip = "1.2.3.4";
  CHECK(recheck(t, r, kNow) == Reason::kInvalidIp);

  t.ip = "1.2.3.0/24|auto/24";
  CHECK(recheck(t, r, kNow) == Reason::kSuccess);  // already inside a bound network
  r.ip = "5.6.7.8";
  CHECK(recheck(t, r, kNow) == Reason::kInvalidIp);  // a new network would consume the slot
  t.ip = "1.2.3.0/24|5.6.7.0/24";
  CHECK(recheck(t, r, kNow) == Reason::kSuccess);
  t.ip = "";
  CHECK(recheck(t, r, kNow) == Reason::kSuccess);
}

TEST_CASE("an app in another account's namespace fails the app check, before uses and ip") {
  Ticket t = good_ticket();
  t.uses = 0;  // would be "Exceeded max views" if the app passed
  PlayRequest r = good_request();
  r.app_owned_elsewhere = true;
  CHECK(decide(&t, r, kNow).reason == Reason::kWrongApplication);
  CHECK(recheck(good_ticket(), r, kNow) == Reason::kWrongApplication);
  r.pass = "nope";  // the earlier checks still come first
  CHECK(decide(&t, r, kNow).reason == Reason::kInvalidAuthToken);
}

TEST_CASE("a disabled account's ticket: refused after the pass check, on start and recheck") {
  const Ticket t = good_ticket();
  PlayRequest r = good_request();
  r.account_active = false;
  CHECK(decide(&t, r, kNow).reason == Reason::kAccountDisabled);
  CHECK(recheck(good_ticket(), r, kNow) == Reason::kAccountDisabled);
  Ticket revoked = good_ticket();
  revoked.active = false;  // the account comes before the ticket's own state
  CHECK(decide(&revoked, r, kNow).reason == Reason::kAccountDisabled);
  r.pass = "nope";  // a wrong pass learns nothing about the account
  CHECK(decide(&t, r, kNow).reason == Reason::kInvalidAuthToken);
  CHECK(recheck(t, r, kNow) == Reason::kInvalidAuthToken);
}

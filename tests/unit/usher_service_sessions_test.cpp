// The HTTP streaming session table: idle window, independence of sessions,
// bounded size, safe under concurrent use.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "usher_service/viewing_sessions.hpp"

using sevu::usher_service::ViewingSessions;
using sevu::usher_service::SessionKey;

namespace {
// Owns what a SessionKey only views: a temporary Viewer outlives the call it
// is passed to.
struct Viewer {
  std::string key, pass, ip, app, video;
  operator SessionKey() const { return {key, pass, ip, app, video}; }
};

Viewer viewer(std::string ip = "10.0.0.1", std::string video = "mystream") {
  return {"mystream.0123456789abcd.12345678", "pw", std::move(ip), "demo-origin", std::move(video)};
}
}  // namespace

TEST_CASE("a session lives for the idle window after its last request") {
  ViewingSessions s(60);
  CHECK_FALSE(s.live(viewer(), 1000));
  s.touch(viewer(), 1000);
  CHECK(s.live(viewer(), 1000));
  CHECK(s.live(viewer(), 1060));
  CHECK_FALSE(s.live(viewer(), 1061));
  s.touch(viewer(), 1050);  // a later request moves the window
  CHECK(s.live(viewer(), 1110));
  CHECK_FALSE(s.live(viewer(), 1111));
  s.touch(viewer(), 900);  // a clock set back never shortens it
  CHECK(s.live(viewer(), 1110));
}

TEST_CASE("every part of the session key counts") {
  ViewingSessions s(60);
  s.touch(viewer(), 1000);
  CHECK_FALSE(s.live(viewer("10.0.0.2"), 1000));
  CHECK_FALSE(s.live(viewer("10.0.0.1", "other"), 1000));
  Viewer other_pass = viewer();
  other_pass.pass = "pw2";
  CHECK_FALSE(s.live(other_pass, 1000));
  // Parts are delimited: shifting characters between them is another session.
  ViewingSessions t(60);
  t.touch({"ab", "c", "", "", ""}, 1);
  CHECK_FALSE(t.live({"a", "bc", "", "", ""}, 1));
}

TEST_CASE("end() forgets a session at once") {
  ViewingSessions s(60);
  s.touch(viewer(), 1000);
  s.end(viewer());
  CHECK_FALSE(s.live(viewer(), 1000));
  CHECK(s.size() == 0);
}

TEST_CASE("the table stays bounded: idle entries go first, then the oldest") {
  ViewingSessions s(60, 10);
  for (int i = 0; i < 10; ++i) s.touch(viewer("10.0.0." + std::to_string(i)), 1000 + i);
  CHECK(s.size() == 10);
  // All still live: adding one evicts the least recently seen.
  s.touch(viewer("10.0.1.1"), 1010);
  CHECK(s.size() <= 10);
  CHECK_FALSE(s.live(viewer("10.0.0.0"), 1010));
  CHECK(s.live(viewer("10.0.0.9"), 1010));
  CHECK(s.live(viewer("10.0.1.1"), 1010));
  // Much later every entry is idle: one insert clears them all.
  s.touch(viewer("10.0.2.1"), 5000);
  CHECK(s.size() == 1);
}

TEST_CASE("concurrent touches and lookups") {
  ViewingSessions s(60, 1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&s, t] {
      for (int i = 0; i < 2000; ++i) {
        auto k = viewer("10." + std::to_string(t) + ".0." + std::to_string(i % 300));
        s.touch(k, 1000 + i / 100);
        (void)s.live(k, 1000 + i / 100);
        if (i % 7 == 0) s.end(k);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(s.size() <= 1000);
}

namespace {
sevu::usher_service::RecheckFacts facts(int64_t uses) {
  sevu::usher_service::RecheckFacts f;
  f.ticket.key = "mystream.0123456789abcd.12345678";
  f.ticket.uses = uses;
  return f;
}
}  // namespace

TEST_CASE("remembered facts: only for a live session, within the window, until forgotten") {
  using namespace std::chrono_literals;
  ViewingSessions s(60, 1000, 200ms);
  s.remember(viewer(), facts(3), s.generation());  // no session: nothing to remember for
  CHECK_FALSE(s.fresh_facts(viewer(), 1000));
  s.touch(viewer(), 1000);
  CHECK_FALSE(s.fresh_facts(viewer(), 1000));  // nothing read yet
  s.remember(viewer(), facts(3), s.generation());
  auto f = s.fresh_facts(viewer(), 1000);
  REQUIRE(f);
  CHECK(f->ticket.uses == 3);
  CHECK_FALSE(s.fresh_facts(viewer("10.0.0.2"), 1000));   // another viewer's session
  CHECK_FALSE(s.fresh_facts(viewer(), 1061));             // the session lapsed
  // A second on in ticket time its stored last_seen is due: the store path, which
  // writes it, answers (ticket time may outrun the wall clock: the test clock).
  CHECK_FALSE(s.fresh_facts(viewer(), 1001));

  s.forget_facts();  // an API write: every fact stale at once
  CHECK_FALSE(s.fresh_facts(viewer(), 1000));

  // Facts read across a forget_facts() stay stale: the generation is the one
  // taken before the read.
  const uint64_t before_read = s.generation();
  s.forget_facts();
  s.remember(viewer(), facts(2), before_read);
  CHECK_FALSE(s.fresh_facts(viewer(), 1000));

  s.remember(viewer(), facts(1), s.generation());
  CHECK(s.fresh_facts(viewer(), 1000));
  std::this_thread::sleep_for(250ms);  // past the window: read again
  CHECK_FALSE(s.fresh_facts(viewer(), 1000));

  s.remember(viewer(), facts(1), s.generation());
  s.end(viewer());
  CHECK_FALSE(s.fresh_facts(viewer(), 1001));
}

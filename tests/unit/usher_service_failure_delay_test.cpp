// The delay before a failed publish is answered: grows per key, bounded, decays.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "usher_service/failure_delay.hpp"

using namespace std::chrono;
using sevu::usher_service::failure_keys;
using sevu::usher_service::FailureDelay;

TEST_CASE("failure delay: doubles per failure of a key, up to its maximum") {
  FailureDelay d;
  const auto t = steady_clock::time_point{} + hours(1);
  const std::vector<std::string> keys{"ip 10.0.0.1"};
  std::vector<milliseconds> seen;
  for (int i = 0; i < 8; ++i) seen.push_back(d.fail(keys, t));
  CHECK(seen[0] == milliseconds(100));
  CHECK(seen[1] == milliseconds(200));
  CHECK(seen[2] == milliseconds(400));
  CHECK(seen[5] == milliseconds(3200));
  CHECK(seen[6] == milliseconds(4000));
  CHECK(seen[7] == milliseconds(4000));
}

TEST_CASE("failure delay: the larger key wins; other keys are not slowed") {
  FailureDelay d;
  const auto t = steady_clock::time_point{} + hours(1);
  for (int i = 0; i < 5; ++i) d.fail({"ip 10.0.0.1"}, t);
  CHECK(d.fail({"ip 10.0.0.2"}, t) == milliseconds(100));                  // a new address
  CHECK(d.fail({"ip 10.0.0.3", "ip 10.0.0.1"}, t) == milliseconds(3200));  // its 6th
}

TEST_CASE("failure delay: decays with time, and the score is capped so it falls back soon") {
  FailureDelay d;
  auto t = steady_clock::time_point{} + hours(1);
  for (int i = 0; i < 100; ++i) d.fail({"k"}, t);
  CHECK(d.fail({"k"}, t) == milliseconds(4000));
  t += minutes(5);  // ten half-lives: the score is about gone
  CHECK(d.fail({"k"}, t) <= milliseconds(110));
}

TEST_CASE("failure delay: bounded in keys") {
  FailureDelay::Policy p;
  p.max_keys = 100;
  FailureDelay d(p);
  const auto t = steady_clock::time_point{} + hours(1);
  for (int i = 0; i < 1000; ++i) d.fail({"ip " + std::to_string(i)}, t);
  CHECK(d.keys() <= 100);
}

TEST_CASE("failure keys: the address, and the stream user when named") {
  const std::string user = "enc";
  CHECK(failure_keys("10.0.0.1", "demo-origin", nullptr).size() == 1);
  auto keys = failure_keys("10.0.0.1", "demo-origin", &user);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0] != keys[1]);
  // app "a" + user "bc" and app "ab" + user "c" are different stream users.
  const std::string bc = "bc", c = "c";
  CHECK(failure_keys("x", "a", &bc)[1] != failure_keys("x", "ab", &c)[1]);
}

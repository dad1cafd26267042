// heard_through (core/http_message.hpp): a callback a store thread calls runs
// where the request's own thread would run it, once, with its argument intact.
#include "core/http_message.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace sevu;

TEST_CASE("without a hop, the callback runs where it is called") {
  std::vector<std::string> heard;
  auto done = heard_through<std::string>(OwnThread{}, [&](std::string s) { heard.push_back(s); });
  done("now");
  REQUIRE(heard.size() == 1);
  CHECK(heard[0] == "now");
}

TEST_CASE("with a hop, the callback runs only when the hop runs its task") {
  std::vector<std::function<void()>> queued;  // the "own thread": tasks run later
  OwnThread hop = [&](std::function<void()> task) { queued.push_back(std::move(task)); };
  std::vector<std::string> heard;
  auto done = heard_through<std::string>(hop, [&](std::string s) { heard.push_back(s); });

  done("later");
  CHECK(heard.empty());  // nothing heard on the calling thread
  REQUIRE(queued.size() == 1);
  queued[0]();
  REQUIRE(heard.size() == 1);
  CHECK(heard[0] == "later");
}

TEST_CASE("the queued task keeps the argument and the callback's own state") {
  std::vector<std::function<void()>> queued;
  OwnThread hop = [&](std::function<void()> task) { queued.push_back(std::move(task)); };
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  int got = 0;
  auto done = heard_through<std::shared_ptr<int>>(
      hop, [&got, keep = std::move(owned)](std::shared_ptr<int> p) { got = *p + *keep; });

  done(std::make_shared<int>(5));
  done = nullptr;              // the caller lets go: the queued task keeps what it needs
  CHECK_FALSE(watch.expired());
  queued[0]();
  CHECK(got == 12);
}

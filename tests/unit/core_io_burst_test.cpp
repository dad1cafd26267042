// IoBurst: work an io thread defers to the end of its burst of handlers.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/io_burst.hpp"

using sevu::IoBurst;

TEST_CASE("IoBurst: a thread that serves no io_context defers nothing") {
  bool ran = false;
  bool deferred = true;
  std::thread([&] { deferred = IoBurst::defer([&] { ran = true; }); }).join();
  CHECK_FALSE(deferred);
  CHECK_FALSE(ran);  // the caller does the work itself
}

TEST_CASE("IoBurst: an io thread's deferred work goes to its own queue, in order") {
  std::vector<IoBurst::Work> queue;  // stands for the thread's io_context
  std::string order;
  bool deferred_elsewhere = true;
  std::thread([&] {
    IoBurst::serve_on_this_thread([&](IoBurst::Work w) { queue.push_back(std::move(w)); });
    CHECK(IoBurst::defer([&] { order += "a"; }));
    CHECK(IoBurst::defer([&] { order += "b"; }));
    std::thread([&] { deferred_elsewhere = IoBurst::defer([] {}); }).join();
  }).join();
  CHECK_FALSE(deferred_elsewhere);  // another thread has no io_context of its own
  CHECK(order.empty());             // nothing ran before its turn in the queue
  for (auto& work : queue) work();
  CHECK(order == "ab");
}

// Work an io thread's handler asks for, done once the handlers that were
// ready with it have run: the end of its "io burst" (docs/performance.md, "The
// writer woken once per burst"). One epoll wake-up of the hook io thread
// brings the starts of many viewers; waking the group-commit writer for the
// first of them let it commit that one alone while the io thread was still
// reading the others, and a commit costs about as much as a dozen starts.
//
// The http layer tells each io thread how to run work at the end of its burst
// (a post to its own io_context, which queues it behind the handlers already
// ready). On every other thread (store workers, tests, the command line)
// defer() declines and the caller does the work at once.
#pragma once

#include <functional>

namespace sevu {

class IoBurst {
 public:
  using Work = std::function<void()>;
  // Queues work behind the handlers ready now, on the calling io thread.
  using Post = std::function<void(Work)>;

  // From an io thread's start until its io_context has stopped (then nullptr:
  // a post would never run).
  static void serve_on_this_thread(Post post);
  // Queues work for the end of this thread's burst; false (nothing queued) on
  // a thread that serves no io_context.
  static bool defer(Work work);
};

}  // namespace sevu

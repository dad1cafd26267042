#include "core/io_burst.hpp"

#include <utility>

namespace sevu {

namespace {

thread_local IoBurst::Post post_on_this_thread;

}  // namespace

void IoBurst::serve_on_this_thread(Post post) { post_on_this_thread = std::move(post); }

bool IoBurst::defer(Work work) {
  if (!post_on_this_thread) return false;
  post_on_this_thread(std::move(work));
  return true;
}

}  // namespace sevu

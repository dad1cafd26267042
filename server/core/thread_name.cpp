#include "core/thread_name.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace sevu {

void name_this_thread(const char* name) {
  // pthread_setname_np refuses names past the limit rather than cutting them.
  const std::string kept(name, std::min<std::size_t>(std::strlen(name), 15));
  pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace sevu

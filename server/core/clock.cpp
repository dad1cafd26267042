// Implements Clock::wall; the test offset lives in the header.
#include "core/clock.hpp"

#include <chrono>

namespace sevu {

int64_t Clock::wall() const {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sevu

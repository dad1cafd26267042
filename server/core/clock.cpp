// Implements the wall readings; the test offset lives in the header.
#include "core/clock.hpp"

#include <chrono>

namespace sevu {

int64_t Clock::wall() const {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int64_t Clock::wall_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sevu

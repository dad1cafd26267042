// Housekeeping that every write does a little of, the same on both backends:
// forget up to `limit` rows whose time ran out before a moment
// (Store::delete_idle_viewing_sessions, delete_write_replies_signed_before).
// Rows are written (and sessions touched) with times at that moment or later
// (a session at the present, a kept reply's request within the window that
// ends at the moment), so a probe that found nothing before a moment finds
// nothing again until the moment moves on: it is not run twice for the same
// one. (A request checked a second earlier may fall just behind the moment:
// its reply goes a second later.) In a busy second these probes were 7 % of
// the SQLite writer's time per grant and 3 % per sevu.request, and on
// PostgreSQL one of a grant's seven round trips (docs/performance.md). A probe
// that deleted nothing is remembered even if its transaction rolls back: there
// was nothing to undo.
#pragma once

#include <cstdint>
#include <limits>

namespace sevu {

class ForgetProbe {
 public:
  // run() deletes up to limit rows before `before` and returns how many went.
  template <class Run>
  int64_t operator()(int64_t before, int64_t limit, Run run) {
    if (before == none_before_) return 0;
    const int64_t deleted = run();
    if (deleted == 0 && limit > 0) none_before_ = before;
    return deleted;
  }

 private:
  int64_t none_before_ = std::numeric_limits<int64_t>::min();  // found nothing before it
};

}  // namespace sevu

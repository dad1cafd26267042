// How both backends nest transactions and savepoints (store.hpp): a call
// inside an open transaction joins it, the outermost one begins and commits
// or rolls back, and a savepoint undoes only its own part. The SQL differs
// per backend; this bookkeeping does not, so it is written once.
#pragma once

#include <functional>

namespace sevu {

class TransactionDepth {
 public:
  bool open() const { return depth_ > 0; }

  // Inside an open transaction: body runs as part of it; the outermost
  // transaction decides commit or rollback.
  void join(const std::function<void()>& body) {
    ++depth_;
    try {
      body();
    } catch (...) {
      --depth_;
      throw;
    }
    --depth_;
  }

  // The outermost transaction: begin, body, commit; if either of the last
  // two throws, rollback (which must not throw) and rethrow.
  template <class Begin, class Commit, class Rollback>
  void outermost(const std::function<void()>& body, Begin begin, Commit commit,
                 Rollback rollback) {
    begin();
    depth_ = 1;
    try {
      body();
      depth_ = 0;
      commit();
    } catch (...) {
      depth_ = 0;
      rollback();
      throw;
    }
  }

  // Inside an open transaction: body as a part that can fail alone; if it
  // throws, undo (which must not throw) takes back only its changes.
  template <class Open, class Release, class Undo>
  void part(const std::function<void()>& body, Open open, Release release, Undo undo) {
    open();
    ++depth_;
    try {
      body();
    } catch (...) {
      --depth_;
      undo();
      throw;
    }
    --depth_;
    release();
  }

 private:
  int depth_ = 0;
};

}  // namespace sevu

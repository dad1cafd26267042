// An append-only log of JSON lines (the access log, the decision log) written
// by a thread of its own: callers, io threads among them, only queue the line
// and never wait on the disk. "-" writes to stdout. reopen() (on SIGHUP) starts
// a new file under the same name, for logrotate.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sevu {

class LogFile {
 public:
  // Opens path for appending (created 0600); throws std::runtime_error naming it.
  explicit LogFile(std::string path, std::size_t max_pending = 100000);
  ~LogFile();  // writes what is queued, then closes
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Queues one line (without its newline). Beyond max_pending queued lines the
  // line is dropped and counted; the count is written once there is room.
  void write(std::string line);
  void reopen();
  const std::string& path() const { return path_; }

 private:
  void run();
  void open_file();  // caller holds file_mutex_

  const std::string path_;
  const std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> pending_;
  uint64_t dropped_ = 0;
  bool reopen_ = false;
  bool stopping_ = false;
  std::FILE* file_ = nullptr;
  std::thread writer_;  // last: started once the rest exists
};

}  // namespace sevu

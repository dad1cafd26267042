#include "core/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "core/log.hpp"
#include "core/thread_name.hpp"

namespace sevu {

LogFile::LogFile(std::string path, std::size_t max_pending)
    : path_(std::move(path)), max_pending_(max_pending) {
  open_file();
  writer_ = std::thread([this] {
    name_this_thread("sevu-log");
    run();
  });
}

LogFile::~LogFile() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (file_ && file_ != stdout) std::fclose(file_);
}

void LogFile::open_file() {
  if (path_ == "-") {
    file_ = stdout;
    return;
  }
  // 0600 like the database: the lines name keys, addresses and accounts.
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (!f) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot open log file " + path_);
  }
  if (file_ && file_ != stdout) std::fclose(file_);
  file_ = f;
}

void LogFile::write(std::string line) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      return;
    }
    pending_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void LogFile::reopen() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    reopen_ = true;
  }
  wake_.notify_one();
}

void LogFile::run() {
  std::vector<std::string> lines;
  for (;;) {
    uint64_t dropped = 0;
    bool reopen = false;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || reopen_ || !pending_.empty(); });
      lines.swap(pending_);
      std::swap(dropped, dropped_);
      std::swap(reopen, reopen_);
      stopping = stopping_;
    }
    if (reopen && path_ != "-") {
      try {
        open_file();
      } catch (const std::exception& e) {  // keep writing to the old file
        log_line(LogLevel::kError, e.what());
      }
    }
    for (const auto& line : lines) {
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fputc('\n', file_);
    }
    if (dropped) std::fprintf(file_, "{\"dropped_lines\":%llu}\n", static_cast<unsigned long long>(dropped));
    std::fflush(file_);
    lines.clear();
    if (stopping) return;
  }
}

}  // namespace sevu

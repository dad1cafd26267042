// Names the calling thread, so that `top -H`, `ps -L` and perf tell the io
// threads, store workers and the rest apart (docs/operations.md, Threads).
#pragma once

namespace sevu {

// At most 15 characters are kept (the kernel's limit).
void name_this_thread(const char* name);

}  // namespace sevu

// One write(2) per commit into SQLite's write-ahead log.
//
// SQLite appends a commit to the WAL as two writes per page: the 24-byte frame
// header, then the page. A group-commit batch dirties a dozen pages or more,
// so each commit cost two dozen pwrite calls, and on this kind of virtual
// machine every system call pays a hypervisor exit (perf: the pwrite calls
// were a fifth of the writer's time for grants, a quarter for sevu.request;
// docs/performance.md). This VFS wraps the default one and holds a WAL file's
// contiguous writes in memory until the transaction's commit frame has been
// written, then hands them to the default VFS as one write.
//
// Why it is safe: other connections read a frame only once the WAL index
// header says it is committed, and SQLite writes that header after the last
// frame's write has returned, which is where the buffer is written out. Every
// other call on the WAL file (read, sync, truncate, size, close) writes the
// buffer out first, so SQLite itself never sees the difference. A failed write
// is reported by the call that wrote the buffer out, which for a commit is
// the write of its last frame, so the commit fails as it would have.
#pragma once

#include <cstdint>

namespace sevu::sqlite {

// The VFS's name, registered once (not as the default) by the first call;
// null if SQLite could not register it, which leaves connections on the
// default VFS.
const char* wal_write_buffer_vfs();

// Buffers written out by this process so far, and what they held: for tests
// and the benchmark notes.
struct WalWriteCounts {
  uint64_t writes = 0;  // write calls made to the default VFS for WAL files
  uint64_t frames = 0;  // WAL frame headers that went through the buffer
};
WalWriteCounts wal_write_counts();

}  // namespace sevu::sqlite

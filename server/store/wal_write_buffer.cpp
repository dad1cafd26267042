// A shim VFS in the shape of SQLite's own examples (test_vfstrace.c): every
// file it opens holds the default VFS's file right behind it and forwards each
// call to it. Only WAL files do anything more (wal_write_buffer.hpp says why).
#include "store/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace sevu::sqlite {

namespace {

// The WAL's layout (sqlite.org/fileformat.html, "WAL File Format"): a 32-byte
// file header, then frames of a 24-byte header and one page. Bytes 4..7 of a
// frame header hold the database size after a commit, and are zero in every
// frame but a transaction's last; SQLite writes a frame as two writes, its
// header and then its page (walWriteOneFrame in wal.c).
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;

// A transaction bigger than this (an import) is written out in pieces before
// its commit frame; nothing reads frames that are not yet committed.
constexpr std::size_t kMaxBuffered = 1 << 20;

// The unix VFS writes at most 128 KiB - 1 per pwrite (seekAndWrite masks the
// count with 0x1ffff), and takes a write of exactly 128 KiB for a full disk:
// bigger buffers go to it in whole 4 KiB pieces below that.
constexpr std::size_t kMaxWrite = 0x1ffff & ~std::size_t{4095};

std::atomic<uint64_t> g_writes{0};
std::atomic<uint64_t> g_frames{0};
sqlite3_vfs* g_default = nullptr;

// A WAL file's writes not yet handed to the default VFS: contiguous bytes
// starting at `offset`.
struct Pending {
  std::vector<unsigned char> bytes;
  sqlite3_int64 offset = 0;
  bool commit_page_next = false;  // the commit frame's header is in: its page ends the commit
};

struct File {
  sqlite3_file base;   // what SQLite holds; pMethods is kMethods
  sqlite3_file* real;  // the default VFS's file, in the bytes after this struct
  Pending* pending;    // WAL files only
  File* database;      // a WAL file: its database's file
  File* wal;           // a database file: its WAL file while that is open
};

File* of(sqlite3_file* file) {
  return reinterpret_cast<File*>(file);
}
const sqlite3_io_methods& real(const File* f) {
  return *f->real->pMethods;
}

int write_out(File* f) {
  Pending* p = f->pending;
  if (!p || p->bytes.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < p->bytes.size() && rc == SQLITE_OK; done += kMaxWrite) {
    const std::size_t n = std::min(kMaxWrite, p->bytes.size() - done);
    rc = real(f).xWrite(f->real, p->bytes.data() + done, static_cast<int>(n),
                        p->offset + static_cast<sqlite3_int64>(done));
    g_writes.fetch_add(1, std::memory_order_relaxed);
  }
  p->bytes.clear();
  p->commit_page_next = false;
  return rc;
}

bool is_commit_frame_header(const unsigned char* b, int amount, sqlite3_int64 offset) {
  return amount == kFrameHeaderBytes && offset >= kWalHeaderBytes && (b[4] | b[5] | b[6] | b[7]);
}

int wal_write(File* f, const void* data, int amount, sqlite3_int64 offset) {
  Pending& p = *f->pending;
  if (!p.bytes.empty() && offset != p.offset + static_cast<sqlite3_int64>(p.bytes.size())) {
    if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  }
  if (p.bytes.empty()) p.offset = offset;
  const auto* b = static_cast<const unsigned char*>(data);
  p.bytes.insert(p.bytes.end(), b, b + amount);
  if (amount == kFrameHeaderBytes) g_frames.fetch_add(1, std::memory_order_relaxed);
  if (p.commit_page_next) return write_out(f);  // the transaction is whole
  if (is_commit_frame_header(b, amount, offset)) {
    p.commit_page_next = true;
    return SQLITE_OK;
  }
  return p.bytes.size() >= kMaxBuffered ? write_out(f) : SQLITE_OK;
}

// What a database file's WAL holds back, if this VFS buffers that WAL.
Pending* held_for_wal(const File* database) {
  return database->wal ? database->wal->pending : nullptr;
}

// SQLite publishes a new WAL index header behind a shared-memory barrier on
// the database file (walIndexWriteHdr in wal.c): by then the WAL must hold
// every frame the header may name. The commit frame's write has written them
// out already (and a rolled-back transaction's were dropped with the write
// lock), so bytes still held here mean SQLite wrote a commit differently from
// the layout above: they are written out now. A failure to write them could
// not be reported to anyone, so the process stops before the header names
// frames that are not in the file.
void before_publishing(File* database) {
  const Pending* held = held_for_wal(database);
  if (!held || held->bytes.empty()) return;
  if (write_out(database->wal) != SQLITE_OK) {
    std::fputs("sevu-server: a WAL write failed as a commit was published; stopping\n", stderr);
    std::abort();
  }
}

int x_close(sqlite3_file* file) {
  File* f = of(file);
  const int flushed = write_out(f);
  if (f->database) f->database->wal = nullptr;
  if (f->wal) f->wal->database = nullptr;
  delete f->pending;
  f->pending = nullptr;
  const int rc = real(f).xClose(f->real);
  return flushed != SQLITE_OK ? flushed : rc;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  File* f = of(file);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = of(file);
  if (f->pending) return wal_write(f, data, amount, offset);
  return real(f).xWrite(f->real, data, amount, offset);
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = of(file);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xTruncate(f->real, size);
}

int x_sync(sqlite3_file* file, int flags) {
  File* f = of(file);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xSync(f->real, flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  File* f = of(file);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xFileSize(f->real, size);
}

int x_lock(sqlite3_file* file, int level) {
  return real(of(file)).xLock(of(file)->real, level);
}
int x_unlock(sqlite3_file* file, int level) {
  return real(of(file)).xUnlock(of(file)->real, level);
}
int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return real(of(file)).xCheckReservedLock(of(file)->real, out);
}

int x_file_control(sqlite3_file* file, int op, void* arg) {
  File* f = of(file);
  if (const int rc = write_out(f); rc != SQLITE_OK) return rc;
  return real(f).xFileControl(f->real, op, arg);
}

int x_sector_size(sqlite3_file* file) {
  return real(of(file)).xSectorSize(of(file)->real);
}
int x_device_characteristics(sqlite3_file* file) {
  return real(of(file)).xDeviceCharacteristics(of(file)->real);
}

int x_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  return real(of(file)).xShmMap(of(file)->real, page, page_size, extend, out);
}

// The write lock's slot among the WAL's shared-memory locks (WAL_WRITE_LOCK
// in wal.c; the file format fixes it, since other processes take it too).
constexpr int kWalWriteLock = 0;

// As a database file's connection gives up the WAL's write lock, whatever its
// WAL still holds belongs to no commit (a commit is written out by its last
// frame, or at the barrier): frames of a rolled-back transaction, at offsets
// where the next writer, perhaps another connection, puts its own. Written
// later they would overwrite that writer's frames, so they are dropped here.
// (SQLite reads such frames back while it rolls back, which writes them out
// first; this does not depend on it.)
void drop_uncommitted(File* database, int offset, int n, int flags) {
  const bool releases_write_lock =
      (flags & SQLITE_SHM_UNLOCK) && offset <= kWalWriteLock && kWalWriteLock < offset + n;
  Pending* held = held_for_wal(database);
  if (!releases_write_lock || !held) return;
  held->bytes.clear();
  held->commit_page_next = false;
}

int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  drop_uncommitted(of(file), offset, n, flags);
  return real(of(file)).xShmLock(of(file)->real, offset, n, flags);
}

void x_shm_barrier(sqlite3_file* file) {
  before_publishing(of(file));
  real(of(file)).xShmBarrier(of(file)->real);
}

int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real(of(file)).xShmUnmap(of(file)->real, delete_flag);
}

int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return real(of(file)).xFetch(of(file)->real, offset, amount, out);
}

int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return real(of(file)).xUnfetch(of(file)->real, offset, page);
}

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

// The files the default VFS opens with fewer methods than ours (none, on
// Linux today) are left to it entirely: they are opened in place of ours.
int x_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = of(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->pending = nullptr;
  f->database = nullptr;
  f->wal = nullptr;
  const int rc = g_default->xOpen(g_default, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) real(f).xClose(f->real);
    return rc;
  }
  if (real(f).iVersion < kMethods.iVersion) {
    real(f).xClose(f->real);
    return g_default->xOpen(g_default, name, file, flags, out_flags);
  }
  if (flags & SQLITE_OPEN_WAL) {
    // Only a WAL whose database this VFS opened too: its shared-memory calls
    // are where a commit is published (before_publishing).
    File* database = of(sqlite3_database_file_object(name));
    if (database && database->base.pMethods == &kMethods) {
      f->pending = new (std::nothrow) Pending;
      if (!f->pending) {
        real(f).xClose(f->real);
        return SQLITE_NOMEM;
      }
      f->database = database;
      database->wal = f;
    }
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

// The rest of the VFS is the default's, called with the default as itself.
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_default->xDelete(g_default, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_default->xAccess(g_default, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_default->xFullPathname(g_default, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) {
  return g_default->xDlOpen(g_default, name);
}
void x_dl_error(sqlite3_vfs*, int size, char* out) {
  g_default->xDlError(g_default, size, out);
}
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_default->xDlSym(g_default, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) {
  g_default->xDlClose(g_default, handle);
}
int x_randomness(sqlite3_vfs*, int size, char* out) {
  return g_default->xRandomness(g_default, size, out);
}
int x_sleep(sqlite3_vfs*, int microseconds) {
  return g_default->xSleep(g_default, microseconds);
}
int x_current_time(sqlite3_vfs*, double* out) {
  return g_default->xCurrentTime(g_default, out);
}
int x_get_last_error(sqlite3_vfs*, int size, char* out) {
  return g_default->xGetLastError(g_default, size, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_default->xCurrentTimeInt64(g_default, out);
}

constexpr const char* kName = "sevu-wal-write-buffer";

sqlite3_vfs make_vfs() {
  sqlite3_vfs v{};
  v.iVersion = 2;  // no system-call overrides: nothing here replaces them
  v.szOsFile = static_cast<int>(sizeof(File)) + g_default->szOsFile;
  v.mxPathname = g_default->mxPathname;
  v.zName = kName;
  v.xOpen = x_open;
  v.xDelete = x_delete;
  v.xAccess = x_access;
  v.xFullPathname = x_full_pathname;
  v.xDlOpen = x_dl_open;
  v.xDlError = x_dl_error;
  v.xDlSym = x_dl_sym;
  v.xDlClose = x_dl_close;
  v.xRandomness = x_randomness;
  v.xSleep = x_sleep;
  v.xCurrentTime = x_current_time;
  v.xGetLastError = x_get_last_error;
  v.xCurrentTimeInt64 = x_current_time_int64;
  return v;
}

}  // namespace

const char* wal_write_buffer_vfs() {
  static std::once_flag once;
  static bool registered = false;
  std::call_once(once, [] {
    g_default = sqlite3_vfs_find(nullptr);
    if (!g_default) return;
    static sqlite3_vfs vfs = make_vfs();
    registered = sqlite3_vfs_register(&vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return registered ? kName : nullptr;
}

WalWriteCounts wal_write_counts() {
  return {g_writes.load(std::memory_order_relaxed), g_frames.load(std::memory_order_relaxed)};
}

}  // namespace sevu::sqlite

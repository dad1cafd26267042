#include "store/store_copy.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace sevu {

namespace {

constexpr int64_t kPage = 5000;

// Calls each(page) for an account's tickets, a page at a time, by id.
template <class Each>
void for_ticket_pages(Store& store, int64_t cdn_id, Each each) {
  TicketFilter f;
  f.limit = kPage;
  for (;; f.offset += kPage) {
    auto page = store.tickets(cdn_id, f);
    if (page.empty()) return;
    each(page);
  }
}

// Counted through the listings and counters the servers use, not by the
// copy's own reading: attempts by account (0: keys that matched no ticket).
StoreCounts count_store_rows(Store& store) {
  StoreCounts c;
  const auto accounts = store.accounts();
  c.n[0] = static_cast<int64_t>(accounts.size());
  c.n[2] = store.count_attempts(0, AttemptFilter{});
  for (const auto& a : accounts) {
    for_ticket_pages(store, a.cdn_id, [&](const auto& page) { c.n[1] += page.size(); });
    c.n[2] += store.count_attempts(a.cdn_id, AttemptFilter{});
    c.n[3] += store.count_stream_users(a.cdn_id);
  }
  c.n[4] = static_cast<int64_t>(store.write_replies().size());
  c.n[5] = static_cast<int64_t>(store.seed_marks().size());
  return c;
}

}  // namespace

bool store_holds_data(Store& store) {
  return !store.accounts().empty() ||
         !store.attempts_after(0, std::nullopt, std::nullopt, 1).empty() ||
         !store.write_replies().empty() || !store.seed_marks().empty();
}

namespace {

StoreCounts copy_rows(Store& from, Store& to) {
  StoreCounts c;
  const auto accounts = from.accounts();
  for (const auto& a : accounts) {
    if (!to.insert_account(a)) throw StoreError("account " + a.username + ": already there");
    ++c.n[0];
  }
  for (const auto& a : accounts) {
    for_ticket_pages(from, a.cdn_id, [&](const auto& page) {
      for (const auto& t : page) to.copy_in(t);
      c.n[1] += page.size();
    });
    for (const auto& u : from.stream_users(a.cdn_id, std::nullopt, std::nullopt)) {
      to.copy_in(u);
      ++c.n[3];
    }
  }
  for (int64_t after = 0;;) {
    const auto page = from.attempts_after(after, std::nullopt, std::nullopt, kPage);
    if (page.empty()) break;
    for (Attempt row : page) {
      // Viewing sessions are not copied (named ones have rows of their own,
      // left behind; ended ones too): a start's kept session stays behind with
      // them rather than coming back to life without its end.
      row.session_lapse = 0;
      to.copy_in(row);
    }
    c.n[2] += static_cast<int64_t>(page.size());
    after = page.back().id;
  }
  for (const auto& r : from.write_replies()) {
    to.insert_write_reply(r);
    ++c.n[4];
  }
  for (const auto& m : from.seed_marks()) {
    if (!to.mark_seeded(m.name, m.created))
      throw StoreError("seed mark " + m.name + ": already there");
    ++c.n[5];
  }
  return c;
}

}  // namespace

StoreCopy copy_store(Store& from, Store& to) {
  StoreCopy result;
  result.source = count_store_rows(from);
  to.transaction([&] {
    const StoreCounts copied = copy_rows(from, to);
    to.hand_out_ids_after(from.ids_handed_out());
    result.copied = count_store_rows(to);
    if (copied != result.source || result.copied != result.source)
      throw StoreError("the counts differ after the copy (rolled back, nothing was changed)");
  });
  return result;
}

void create_backup_file(const std::string& dest) {
  if (dest.empty()) throw StoreError("backup destination is empty");
  // O_EXCL creates the file atomically, so an existing file is never touched.
  const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) throw StoreError("backup destination " + dest + " already exists");
    throw StoreError("cannot create backup " + dest + ": " + std::strerror(error));
  }
  ::close(fd);
}

}  // namespace sevu

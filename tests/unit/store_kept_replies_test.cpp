// The SQLite store's kept replies found through memory (store/kept_reply_index.hpp):
// the index alone, then a real database file with an index held small, so that
// what happens over its capacity, at COMMIT and across connections is seen.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "core/records.hpp"
#include "store/kept_reply_index.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace {

using sevu::KeptReplyIndex;

constexpr int64_t kSignedAt = 900;

WriteReply reply(const std::string& signature, int64_t expires, int64_t code = 2002,
                 int64_t signed_at = kSignedAt) {
  WriteReply r;
  r.cdn_id = 158;
  r.signature = signature;
  r.signed_at = signed_at;
  r.expires = expires;
  r.code = code;
  r.message = "granted";
  r.payload = "{}";
  return r;
}

}  // namespace

TEST_CASE("kept reply index: every field counts in the hash, and entries are found by it") {
  KeptReplyIndex index;
  const uint64_t h = index.hash(158, 900, "c2ln");
  CHECK(h == index.hash(158, 900, "c2ln"));
  CHECK(h != index.hash(159, 900, "c2ln"));
  CHECK(h != index.hash(158, 901, "c2ln"));
  CHECK(h != index.hash(158, 900, "c2lm"));
  CHECK(index.rows_of(900, h).empty());
  index.add({h, 7, 900});
  index.add({h, 9, 900});  // a collision: both rows are candidates
  CHECK(index.rows_of(900, h).size() == 2);
  CHECK(index.rows_of(901, h).empty());  // found within the request's own second
  CHECK(index.covers(900));
}

TEST_CASE("kept reply index: over capacity the oldest second goes, until the table forgets it") {
  KeptReplyIndex index(3);
  index.add({1, 1, 900});
  index.add({2, 2, 900});
  index.add({3, 3, 901});
  index.add({4, 4, 902});  // four: second 900 goes whole
  CHECK(index.size() == 2);
  CHECK(index.rows_of(900, 1).empty());
  CHECK_FALSE(index.covers(900));
  CHECK(index.covers(901));
  CHECK(index.rows_of(902, 4).size() == 1);
  index.add({5, 5, 899});  // signed before what it forgot: found, but misses are not final
  CHECK(index.size() == 3);
  CHECK(index.rows_of(899, 5).size() == 1);
  CHECK_FALSE(index.covers(899));
  index.forget_before(900);  // the table still holds replies of second 900
  CHECK(index.size() == 2);
  CHECK_FALSE(index.covers(900));
  index.forget_before(902);  // it holds none before 902: nothing left out is missing
  CHECK(index.covers(900));
  CHECK(index.size() == 1);
}

TEST_CASE("kept reply index: forgotten seconds go from the oldest on") {
  KeptReplyIndex index;
  index.add({1, 1, 900});
  index.add({2, 2, 901});
  index.add({3, 3, 905});
  index.forget_before(902);
  CHECK(index.size() == 1);
  CHECK(index.rows_of(905, 3).size() == 1);
  index.forget_all();  // every reply may be missing now
  CHECK(index.size() == 0);
  CHECK_FALSE(index.covers(2'000'000'000));
  index.clear();
  CHECK(index.covers(2'000'000'000));
}

TEST_CASE("kept reply index: a transaction's own entries, taken back by savepoint") {
  KeptReplyIndex::Pending pending;
  pending.add({5, 1, 1000});
  const auto mark = pending.mark();
  pending.add({5, 2, 1000});
  pending.add({6, 3, 1000});
  CHECK(pending.rows_of(5).size() == 2);
  pending.undo_to(mark);
  CHECK(pending.rows_of(5).size() == 1);
  CHECK(pending.rows_of(6).empty());
  CHECK(pending.take().size() == 1);
}

TEST_CASE("sqlite: kept replies of a second the index forgot are found in the table") {
  TempDir dir;
  const auto path = dir.file("kept.db");
  auto store = sevu::open_sqlite_store(path);  // migrated, then closed: the index is made below
  store.reset();
  auto index = KeptReplyIndex::of(path, 2);
  store = sevu::open_sqlite_store(path);
  store->insert_write_reply(reply("one", 1000, 2002, 899));
  store->insert_write_reply(reply("two", 1500));
  store->insert_write_reply(reply("three", 1400, 2003, 901));  // past capacity: second 899 goes
  CHECK(index->size() == 2);
  CHECK_FALSE(index->covers(899));
  REQUIRE(store->write_reply(158, 899, "one"));
  CHECK(store->write_reply(158, 899, "one")->expires == 1000);
  CHECK_THROWS_AS(store->insert_write_reply(reply("one", 1600, 2002, 899)), sevu::StoreError);
  CHECK_FALSE(store->write_reply(158, 899, "four"));
  CHECK(store->write_reply(158, 901, "three")->code == 2003);

  // Once the replies of that second are deleted, memory alone answers again.
  CHECK(store->delete_write_replies_signed_before(kSignedAt, 100) == 1);
  CHECK(index->covers(899));
  CHECK(store->write_reply(158, kSignedAt, "two"));
  CHECK_FALSE(store->write_reply(158, 899, "one"));
}

TEST_CASE("sqlite: another connection finds a kept reply once its transaction commits") {
  TempDir dir;
  const auto path = dir.file("shared.db");
  auto writer = sevu::open_sqlite_store(path);
  auto other = sevu::open_sqlite_store(path);
  writer->transaction([&] {
    writer->insert_write_reply(reply("pending", 2000));
    CHECK(writer->write_reply(158, kSignedAt, "pending"));  // its own, before COMMIT
    CHECK_FALSE(other->write_reply(158, kSignedAt, "pending"));
    CHECK_THROWS_AS(writer->savepoint([&] {
      writer->insert_write_reply(reply("undone", 2000));
      CHECK(writer->write_reply(158, kSignedAt, "undone"));
      throw std::runtime_error("this part fails");
    }),
                    std::runtime_error);
    CHECK_FALSE(writer->write_reply(158, kSignedAt, "undone"));
  });
  CHECK(other->write_reply(158, kSignedAt, "pending"));
  CHECK_FALSE(other->write_reply(158, kSignedAt, "undone"));
  CHECK_FALSE(writer->write_reply(158, kSignedAt, "undone"));
  CHECK_THROWS_AS(other->insert_write_reply(reply("pending", 3000)), sevu::StoreError);
}

TEST_CASE("sqlite: the index is filled from the table when the file is opened again") {
  TempDir dir;
  const auto path = dir.file("again.db");
  {
    auto store = sevu::open_sqlite_store(path);
    store->transaction([&] { store->insert_write_reply(reply("kept", 2000, 2003)); });
  }
  auto store = sevu::open_sqlite_store(path);
  REQUIRE(store->write_reply(158, kSignedAt, "kept"));
  CHECK(store->write_reply(158, kSignedAt, "kept")->code == 2003);
  CHECK_THROWS_AS(store->insert_write_reply(reply("kept", 2000)), sevu::StoreError);
}

// sevu.addstreamuser hashes its password before the write transaction opens,
// so that the deliberately slow hash never holds the store's write lock, which
// every other write (playback starts included) waits for (docs/legacy-api.md,
// stream users; issue 8 item 3).
//
// The hash is observed through a link seam: this file defines
// sevu::hash_password, so the linker takes it instead of the one in
// libsevu_auth.a, and the store below says whether a transaction is open at the
// moment it is called. Should anything in this executable ever need the real
// password_hash.o, the link fails with a duplicate definition: loud, not wrong.
#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.hpp"
#include "core/clock.hpp"
#include "legacy/legacy_api.hpp"
#include "signed_request.hpp"
#include "store/store.hpp"

using namespace sevu;

namespace {

// The real SQLite store, watched: how deep in transactions it is right now.
class WatchedStore : public Store {
 public:
  explicit WatchedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  int depth = 0;

  void savepoint(const std::function<void()>& body) override { inner_->savepoint(body); }
  void read_together(const std::function<void()>& body) override { inner_->read_together(body); }
  void reset_data() override { inner_->reset_data(); }
  std::optional<ViewingSession> viewing_session(const std::string& id) override {
    return inner_->viewing_session(id);
  }
  void save_viewing_session(const ViewingSession& s) override { inner_->save_viewing_session(s); }
  void touch_viewing_session(const std::string& id, int64_t seen) override {
    inner_->touch_viewing_session(id, seen);
  }
  bool end_viewing_session(const std::string& id, int64_t now, const std::string& why) override {
    return inner_->end_viewing_session(id, now, why);
  }
  void delete_viewing_session(const std::string& id) override {
    inner_->delete_viewing_session(id);
  }
  std::vector<ViewingSession> live_viewing_sessions(int64_t cdn_id, const std::string& key,
                                                    int64_t now) override {
    return inner_->live_viewing_sessions(cdn_id, key, now);
  }
  std::optional<ViewingSession> unnamed_session_of(const Attempt& viewer, int64_t now) override {
    return inner_->unnamed_session_of(viewer, now);
  }
  int64_t delete_idle_viewing_sessions(int64_t before, int64_t limit) override {
    return inner_->delete_idle_viewing_sessions(before, limit);
  }
  void transaction(const std::function<void()>& body) override {
    inner_->transaction([&] {
      ++depth;
      try {
        body();
      } catch (...) {
        --depth;
        throw;
      }
      --depth;
    });
  }

  std::optional<Account> account(int64_t cdn_id) override { return inner_->account(cdn_id); }
  std::vector<Account> accounts() override { return inner_->accounts(); }
  bool insert_account(const Account& a) override { return inner_->insert_account(a); }
  bool set_account_secret(int64_t cdn_id, const std::string& secret) override {
    return inner_->set_account_secret(cdn_id, secret);
  }
  bool set_account_active(int64_t cdn_id, bool active) override {
    return inner_->set_account_active(cdn_id, active);
  }
  int64_t next_cdn_id() override { return inner_->next_cdn_id(); }

  bool insert_ticket(Ticket& t) override { return inner_->insert_ticket(t); }
  std::optional<Ticket> ticket(int64_t cdn_id, const std::string& key) override {
    return inner_->ticket(cdn_id, key);
  }
  std::optional<Ticket> ticket_by_key(const std::string& key) override {
    return inner_->ticket_by_key(key);
  }
  std::vector<Ticket> tickets(int64_t cdn_id, const TicketFilter& f) override {
    return inner_->tickets(cdn_id, f);
  }
  bool update_ticket(const Ticket& t) override { return inner_->update_ticket(t); }
  bool delete_ticket(int64_t cdn_id, const std::string& key) override {
    return inner_->delete_ticket(cdn_id, key);
  }

  int64_t insert_attempt(const Attempt& a) override { return inner_->insert_attempt(a); }
  std::vector<Attempt> attempts(int64_t cdn_id, const AttemptFilter& f) override {
    return inner_->attempts(cdn_id, f);
  }
  int64_t count_attempts(int64_t cdn_id, const AttemptFilter& f) override {
    return inner_->count_attempts(cdn_id, f);
  }

  bool insert_stream_user(StreamUser& u) override { return inner_->insert_stream_user(u); }
  std::optional<StreamUser> stream_user(int64_t cdn_id, int64_t id) override {
    return inner_->stream_user(cdn_id, id);
  }
  std::vector<StreamUser> stream_users(int64_t cdn_id, const std::optional<std::string>& app,
                                       const std::optional<std::string>& stream) override {
    return inner_->stream_users(cdn_id, app, stream);
  }
  std::vector<StreamUser> publish_candidates(const std::string& app,
                                             const std::string& stream) override {
    return inner_->publish_candidates(app, stream);
  }
  bool update_stream_user(const StreamUser& u) override { return inner_->update_stream_user(u); }
  bool delete_stream_user(int64_t cdn_id, int64_t id) override {
    return inner_->delete_stream_user(cdn_id, id);
  }
  int64_t count_stream_users(int64_t cdn_id) override { return inner_->count_stream_users(cdn_id); }

  std::optional<WriteReply> write_reply(int64_t cdn_id, int64_t signed_at,
                                        const std::string& signature) override {
    return inner_->write_reply(cdn_id, signed_at, signature);
  }
  void insert_write_reply(const WriteReply& r) override { inner_->insert_write_reply(r); }
  int64_t delete_write_replies_signed_before(int64_t before, int64_t limit) override {
    return inner_->delete_write_replies_signed_before(before, limit);
  }

  std::vector<Attempt> attempts_after(int64_t after_id, const std::optional<int64_t>& cdn_id,
                                      const std::optional<std::string>& key,
                                      int64_t limit) override {
    return inner_->attempts_after(after_id, cdn_id, key, limit);
  }
  std::vector<Attempt> find_attempts(const AttemptQuery& q) override {
    return inner_->find_attempts(q);
  }
  std::vector<AttemptBucket> attempt_timeline(const AttemptQuery& q, int64_t start,
                                              int64_t step) override {
    return inner_->attempt_timeline(q, start, step);
  }
  std::vector<Ticket> search_tickets(int64_t cdn_id, const std::string& q, int64_t offset,
                                     int64_t limit) override {
    return inner_->search_tickets(cdn_id, q, offset, limit);
  }
  int64_t count_tickets_matching(int64_t cdn_id, const std::string& q) override {
    return inner_->count_tickets_matching(cdn_id, q);
  }
  void insert_console_session(const ConsoleSession& c) override {
    inner_->insert_console_session(c);
  }
  std::optional<ConsoleSession> console_session(const std::string& token_hash) override {
    return inner_->console_session(token_hash);
  }
  bool delete_console_session(const std::string& token_hash) override {
    return inner_->delete_console_session(token_hash);
  }
  int64_t delete_expired_console_sessions(int64_t now, int64_t limit) override {
    return inner_->delete_expired_console_sessions(now, limit);
  }
  bool mark_seeded(const std::string& name, int64_t now) override {
    return inner_->mark_seeded(name, now);
  }
  void backup_to(const std::string& dest) override { inner_->backup_to(dest); }
  std::vector<WriteReply> write_replies() override { return inner_->write_replies(); }
  std::vector<SeedMark> seed_marks() override { return inner_->seed_marks(); }
  void copy_in(const Ticket& t) override { inner_->copy_in(t); }
  void copy_in(const Attempt& a) override { inner_->copy_in(a); }
  void copy_in(const StreamUser& u) override { inner_->copy_in(u); }
  IdsHandedOut ids_handed_out() override { return inner_->ids_handed_out(); }
  void hand_out_ids_after(const IdsHandedOut& ids) override { inner_->hand_out_ids_after(ids); }

 private:
  std::unique_ptr<Store> inner_;
};

// What the seam saw.
struct HashCalls {
  const WatchedStore* store = nullptr;
  int total = 0;
  int inside_transaction = 0;
};
HashCalls g_hashes;

}  // namespace

// The seam: stands in for the PBKDF2 hash in this executable only.
std::string sevu::hash_password(std::string_view password, int) {
  ++g_hashes.total;
  if (g_hashes.store != nullptr && g_hashes.store->depth > 0) ++g_hashes.inside_transaction;
  return "test-hash:" + std::string(password);
}

namespace {

const Account kDemo{158, "demo", "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE",
                    "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f"};

struct Fixture {
  std::string dir;
  std::unique_ptr<WatchedStore> store;
  Clock clock;
  ErrorSink errors;
  LegacyApi api{clock, LegacyConfig{}, errors};

  explicit Fixture(int64_t max_stream_users = 50) {
    char tmpl[] = "/tmp/sevu-addhash-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    store = std::make_unique<WatchedStore>(open_sqlite_store(dir + "/sevu.db"));
    Account demo = kDemo;
    demo.max_stream_users = max_stream_users;
    REQUIRE(store->insert_account(demo));
    g_hashes = HashCalls{store.get()};
  }
  ~Fixture() {
    g_hashes = HashCalls{};
    store.reset();
    std::system(("rm -rf '" + dir + "'").c_str());
  }

  // A signed sevu.addstreamuser; sent again, it is a new request (signed_request.hpp).
  SignedRequests sign{clock};
  std::string signed_body(const std::string& fields) {
    return sign("sevu.addstreamuser", fields, kDemo);
  }

  // The reply up to its handle_time, which alone may differ between repeats.
  std::string post(const std::string& body) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/stable/";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
    HttpResponse resp = api.handle(req, *store);
    REQUIRE(resp.status == 200);
    return resp.body.substr(0, resp.body.find("\"handle_time\""));
  }

  static int code(const std::string& reply) {
    rapidjson::Document d;
    d.Parse((reply + "\"handle_time\":\"0\"}").c_str());
    REQUIRE(d.IsObject());
    return d["code"].GetInt();
  }
};

const char* const kAdd = R"("app":"live","stream":"cam","user":"enc","pass":"s3cret")";

}  // namespace

TEST_CASE("addstreamuser hashes the password before its write transaction opens") {
  Fixture f;
  REQUIRE(Fixture::code(f.post(f.signed_body(kAdd))) == 2071);
  CHECK(g_hashes.total == 1);
  CHECK(g_hashes.inside_transaction == 0);
  // The hash computed beforehand is the one stored.
  auto rows = f.store->stream_users(158, std::string("live"), std::string("cam"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].pass_hash == std::optional<std::string>("test-hash:s3cret"));
}

TEST_CASE("a repeated addstreamuser gets its first reply, hashes nothing and adds no row") {
  Fixture f;
  const std::string body = f.signed_body(kAdd);
  const std::string first = f.post(body);
  REQUIRE(Fixture::code(first) == 2071);
  CHECK(f.post(body) == first);
  CHECK(g_hashes.total == 1);
  CHECK(f.store->count_stream_users(158) == 1);
}

TEST_CASE("addstreamuser keeps its check order with the password hashed first") {
  Fixture f(2);
  REQUIRE(Fixture::code(f.post(f.signed_body(kAdd))) == 2071);
  // Settings first, then the limit, then the name.
  CHECK(Fixture::code(f.post(f.signed_body(
            R"("app":"live","stream":"cam2","user":"enc","pass":"p","segment_type":"x")"))) == 9);
  CHECK(Fixture::code(f.post(f.signed_body(kAdd))) == 2070);  // the same name again
  REQUIRE(Fixture::code(f.post(
              f.signed_body(R"("app":"live","stream":"cam2","user":"enc","pass":"p")"))) == 2071);
  CHECK(Fixture::code(f.post(f.signed_body(kAdd))) == 2072);  // the limit, before the name
  CHECK(g_hashes.inside_transaction == 0);
  CHECK(f.store->count_stream_users(158) == 2);
}

TEST_CASE("addstreamuser hashes nothing for a request refused before it runs") {
  Fixture f;
  // No password to hash: authentication disabled, or a pass the handler refuses.
  CHECK(Fixture::code(f.post(
            f.signed_body(R"("app":"live","stream":"open","user":null,"pass":null)"))) == 2071);
  CHECK(Fixture::code(f.post(f.signed_body(
            R"("app":"live","stream":"cam","user":"enc","pass":"a\u0001b")"))) == 2070);
  CHECK(Fixture::code(f.post(f.signed_body(R"("app":"live","stream":"cam","user":"enc")"))) == 6);
  // A disabled account is refused (code 5) before the command runs.
  REQUIRE(f.store->set_account_active(158, false));
  CHECK(Fixture::code(f.post(f.signed_body(kAdd))) == 5);
  CHECK(g_hashes.total == 0);
}

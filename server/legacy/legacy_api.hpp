// The legacy command API: POST /stable/ (docs/legacy-api.md). legacy/ has two
// layers under this entry point, which alone ties them together:
//   wire/      the protocol every command shares: transport (form, multipart or
//              raw body), request JSON and its fields, PHP's JSON encoding,
//              signature, repeats (write_once), the envelope and the one code
//              table. Uses core/, auth/ and store/ (repeats are kept there).
//   commands/  the commands, grouped by what they act on: tickets.cpp,
//              attempts.cpp, stream_users/. Use wire/, store/, usher/, auth/, core/.
// Neither includes this file; commands/ never reaches into legacy_api.cpp's checks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "legacy/commands/config.hpp"
#include "legacy/wire/codes.hpp"
#include "store/group_commit.hpp"
#include "store/store.hpp"

namespace sevu {

class LegacyApi {
 public:
  using Respond = std::function<void(HttpResponse)>;

  // errors: where a code 4 (the store or the command failed) is counted and
  // logged. writes: where signed write commands run, batched with others
  // (docs/performance.md, "Group commit"); without one, each runs in a
  // transaction of its own on the store handle() was given.
  // sessions_ended: told of the viewing sessions a write ended (sevu.revoke)
  // once its transaction has committed, before its answer goes.
  using SessionsEnded = std::function<void(const std::vector<ViewingSession>&)>;
  LegacyApi(const Clock& clock, LegacyConfig config, ErrorSink& errors,
            GroupCommit* writes = nullptr, SessionsEnded sessions_ended = {});

  // Runs on a store worker: body decoding, JSON parse, the check order of
  // docs/legacy-api.md, then the command: a read at once, a write through the
  // group commit, answered once committed. respond hears the answer exactly
  // once, maybe later on another store worker. Always HTTP 200 with the JSON
  // envelope, except 405 for a method other than POST.
  void handle(const HttpRequest& req, Store& store, Respond respond);
  // The same, answered before it returns: only without a GroupCommit (tests).
  HttpResponse handle(const HttpRequest& req, Store& store);

  // On the io thread, before any hop to a store worker: a signed write without
  // slow preparation, whose account this process has read before and which
  // passes every check against that copy, goes straight to the group commit,
  // where its account is read again (docs/performance.md, "Signed writes
  // checked where they arrive"). False for any other request, and for any
  // check that fails: nothing was answered, and handle() decides it.
  bool write_without_store_hop(const HttpRequest& req, const Respond& respond);

  // Code 1000, for when the store pool refuses more work (load shedding).
  HttpResponse busy() const;

 private:
  struct Checked;
  std::optional<HttpResponse> read_request(const HttpRequest& req, Checked& checked) const;
  std::optional<legacy::Code> refusal(const Checked& checked, const Account* account) const;
  std::optional<HttpResponse> answer(const HttpRequest& req, Store& store,
                                     const std::shared_ptr<Checked>& checked,
                                     const Respond& respond);
  void set_write(Checked& checked, Account account) const;
  std::optional<legacy::Code> check_again(Store& writer, Checked& checked);
  void run_write(Store* store, const std::shared_ptr<Checked>& checked, const Respond& respond);

  // The accounts whose signed requests passed their checks lately, by cdn_id:
  // a copy the io thread may check a write against, never trusted alone (the
  // writer reads the account again). Only accounts that exist and signed
  // correctly are kept, so it holds at most one entry per account.
  class AccountCopies {
   public:
    std::optional<Account> find(int64_t cdn_id) const;
    void keep(const Account& account);
    void forget(int64_t cdn_id);

   private:
    mutable std::mutex mutex_;
    std::unordered_map<int64_t, Account> accounts_;
  };

  const Clock& clock_;
  LegacyConfig config_;
  ErrorSink& errors_;
  GroupCommit* const writes_;
  SessionsEnded sessions_ended_;
  AccountCopies accounts_;
};

}  // namespace sevu

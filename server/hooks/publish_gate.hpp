// Publish authorization (docs/hooks.md, Publishing): a stream user's user+pass
// for app+stream. Split in steps so that the slow password hash runs apart
// from the store workers (see publish_flow.hpp): the rows are read on a store
// worker, the password verified on the hash pool, the attempt logged on a
// store worker again. authorize_publish() runs the same steps in a row.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/http_message.hpp"
#include "hooks/usher_gate.hpp"
#include "store/store.hpp"

namespace sevu::hooks {

struct PublishAttempt {
  std::string app, stream;
  std::optional<std::string> user, pass;  // as the publisher sent them, if at all
  std::string ip, pageurl, refurl;
};

// Reasons logged for publishes (the playback reasons belong to tickets).
inline constexpr const char* kPublishAuthorized = "Publish Authorized";
inline constexpr const char* kPublishBadCredentials = "Publish Denied: bad credentials";
inline constexpr const char* kPublishNoStreamUser = "Publish Denied: no stream user";
inline constexpr const char* kPublishAccountDisabled = "Publish Denied: account disabled";

// The stream users that may let one publish in, any account's (only the app
// owner's when the app has one), exact stream rows before "*" rows; those of
// enabled accounts apart from those of disabled ones.
struct PublishRows {
  std::vector<StreamUser> enabled, disabled;
  std::optional<int64_t> owner;  // the app's owner account, if any
};

// Reads them (a few indexed lookups: cheap, for a store worker).
PublishRows publish_rows(Store& store, const PublishAttempt& attempt);

struct PublishVerdict {
  bool allowed = false;
  const char* reason = kPublishNoStreamUser;
  int64_t cdn_id = 0;  // the account the attempt is logged under (0: none)
};

// verify(password, stored hash): the slow part.
using VerifyPassword = std::function<bool(const std::string&, const std::string&)>;

// The ruling. In each group (enabled, then disabled) a row with a null user
// publishes freely; else the user must equal and the password verify against
// the row's hash. A match among the enabled rows allows; one among the disabled
// rows is refused as "account disabled" (so a wrong password learns nothing
// about the account); no row at all is "no stream user"; else "bad credentials".
// Logged under the matching row's account, or the first candidate's, or the
// app owner's (0 when none).
PublishVerdict rule_publish(const PublishRows& rows, const PublishAttempt& attempt,
                            const VerifyPassword& verify);
// The ruling when it needs no password verified (a free row, no rows, no
// credentials); nullopt when a hash must be checked first.
std::optional<PublishVerdict> rule_publish_without_hash(const PublishRows& rows,
                                                        const PublishAttempt& attempt);

// Records the attempt row (key "", pass "" — the password is never logged —
// appinst "publish", video = stream).
void log_publish(Store& store, const PublishAttempt& attempt, const PublishVerdict& verdict,
                 int64_t now, const std::string& server);

// All steps in a row on the caller's thread (tests, tools). With `log`, the
// attempt is recorded.
GateResult authorize_publish(Store& store, const PublishAttempt& attempt, int64_t now,
                             const std::string& server, bool log = true);

// A publish an adapter hands back to be decided off the store worker, with the
// way to answer it in the adapter's wire format.
struct PublishCall {
  PublishAttempt attempt;
  int64_t now = 0;
  std::string server;
  bool log = true;  // false: a running publisher's re-check (nginx-rtmp update_publish)
  std::function<HttpResponse(const GateResult&)> answer;
};

}  // namespace sevu::hooks

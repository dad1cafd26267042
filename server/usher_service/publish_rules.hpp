// Publish authorization (docs/hooks.md, Publishing): a stream user's user+pass
// for app+stream (the request's video). Split in steps so that the slow
// password hash runs apart from the store workers (see publish_flow.hpp): the
// rows are read on a store worker, the password verified on the hash pool, the
// attempt logged on a store worker again. authorize_publish() runs the same
// steps in a row.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "store/store.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::usher_service {

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
PublishRows publish_rows(Store& store, const UsherRequest& req);

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
PublishVerdict rule_publish(const PublishRows& rows, const UsherRequest& req,
                            const VerifyPassword& verify);
// The ruling when it needs no password verified (a free row, no rows, no
// credentials); nullopt when a hash must be checked first.
std::optional<PublishVerdict> rule_publish_without_hash(const PublishRows& rows,
                                                        const UsherRequest& req);

// All steps in a row on the caller's thread (tests, tools); a kPublish is
// logged, a kRecheckPublish is not.
UsherDecision authorize_publish(Store& store, const UsherRequest& req, int64_t now,
                                const std::string& server);

}  // namespace sevu::usher_service

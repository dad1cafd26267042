// Publish authorization (SPEC §5): a stream user's user+pass for app+stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

// Stream users for app+stream, exact stream rows before "*" rows (any account).
// A row with a null user publishes freely; otherwise the user must equal and the
// password verify against the stored hash. No row at all denies.
// With `log`, the attempt is recorded as an attempt row (key "", pass "" — the
// password is never logged — appinst "publish", video = stream) under the
// matching row's account, or the first candidate's, or 0 when there is none.
GateResult authorize_publish(Store& store, const PublishAttempt& attempt, int64_t now,
                             const std::string& server, bool log = true);

}  // namespace sevu::hooks

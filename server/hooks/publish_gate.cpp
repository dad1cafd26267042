#include "hooks/publish_gate.hpp"

#include <algorithm>
#include <vector>

#include "auth/password_hash.hpp"
#include "hooks/app_owner.hpp"
#include "hooks/log_text.hpp"

namespace sevu::hooks {

namespace {

// The row that lets this publisher in, if any.
const StreamUser* matching_row(const std::vector<StreamUser>& rows, const PublishAttempt& a) {
  for (const auto& row : rows) {
    if (!row.user) return &row;  // null user/pass: anyone may publish
  }
  if (!a.user || !a.pass) return nullptr;
  for (const auto& row : rows) {
    if (*row.user != *a.user || !row.pass_hash) continue;
    if (verify_password(*a.pass, *row.pass_hash)) return &row;
  }
  return nullptr;
}

}  // namespace

GateResult authorize_publish(Store& store, const PublishAttempt& attempt, int64_t now,
                             const std::string& server, bool log) {
  std::vector<StreamUser> rows = store.publish_candidates(attempt.app, attempt.stream);
  // Only the app's owner configures who publishes to it (see app_owner.hpp).
  const std::optional<int64_t> owner = app_owner(store, attempt.app);
  if (owner)
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const StreamUser& u) { return u.cdn_id != *owner; }),
               rows.end());
  // Exact stream rows first, then "*" (which covers every stream), whatever
  // order the store returned.
  std::stable_partition(rows.begin(), rows.end(),
                        [&](const StreamUser& u) { return u.stream == attempt.stream; });

  const StreamUser* match = matching_row(rows, attempt);
  GateResult result;
  result.allowed = match != nullptr;
  result.reason =
      match ? kPublishAuthorized : (rows.empty() ? kPublishNoStreamUser : kPublishBadCredentials);
  if (!log) return result;

  Attempt row;
  row.cdn_id = match ? match->cdn_id : (rows.empty() ? owner.value_or(0) : rows.front().cdn_id);
  row.datetime = now;
  row.ip = attempt.ip;
  row.video = attempt.stream;
  row.app = attempt.app;
  row.appinst = "publish";
  row.pageurl = attempt.pageurl;
  row.refurl = attempt.refurl;
  row.success = result.allowed;
  row.reason = result.reason;
  row.server = server;
  make_loggable(row);
  store.insert_attempt(row);
  return result;
}

}  // namespace sevu::hooks

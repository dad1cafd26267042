#include "hooks/publish_gate.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "auth/password_hash.hpp"
#include "hooks/app_owner.hpp"
#include "hooks/log_text.hpp"

namespace sevu::hooks {

namespace {

// The row that lets this publisher in, if any.
const StreamUser* matching_row(const std::vector<StreamUser>& rows, const PublishAttempt& a,
                               const VerifyPassword& verify) {
  for (const auto& row : rows) {
    if (!row.user) return &row;  // null user/pass: anyone may publish
  }
  if (!a.user || !a.pass) return nullptr;
  for (const auto& row : rows) {
    if (*row.user != *a.user || !row.pass_hash) continue;
    if (verify(*a.pass, *row.pass_hash)) return &row;
  }
  return nullptr;
}

// Read on every publish, never cached: an account disabled by the admin
// subcommands stops publishing at once (docs/operations.md, Accounts).
bool account_enabled(Store& store, int64_t cdn_id, std::map<int64_t, bool>& seen) {
  auto it = seen.find(cdn_id);
  if (it != seen.end()) return it->second;
  const std::optional<Account> account = store.account(cdn_id);
  return seen[cdn_id] = account && account->active;
}

}  // namespace

PublishRows publish_rows(Store& store, const PublishAttempt& attempt) {
  PublishRows out;
  std::vector<StreamUser> rows = store.publish_candidates(attempt.app, attempt.stream);
  // Only the app's owner configures who publishes to it (see app_owner.hpp).
  out.owner = app_owner(store, attempt.app);
  // Exact stream rows first, then "*" (which covers every stream), whatever
  // order the store returned.
  std::stable_partition(rows.begin(), rows.end(),
                        [&](const StreamUser& u) { return u.stream == attempt.stream; });
  std::map<int64_t, bool> enabled;
  for (auto& row : rows) {
    if (out.owner && row.cdn_id != *out.owner) continue;
    auto& group = account_enabled(store, row.cdn_id, enabled) ? out.enabled : out.disabled;
    group.push_back(std::move(row));
  }
  return out;
}

PublishVerdict rule_publish(const PublishRows& rows, const PublishAttempt& attempt,
                            const VerifyPassword& verify) {
  if (const StreamUser* m = matching_row(rows.enabled, attempt, verify))
    return {true, kPublishAuthorized, m->cdn_id};
  if (const StreamUser* m = matching_row(rows.disabled, attempt, verify))
    return {false, kPublishAccountDisabled, m->cdn_id};
  if (!rows.enabled.empty()) return {false, kPublishBadCredentials, rows.enabled.front().cdn_id};
  if (!rows.disabled.empty()) return {false, kPublishBadCredentials, rows.disabled.front().cdn_id};
  return {false, kPublishNoStreamUser, rows.owner.value_or(0)};
}

std::optional<PublishVerdict> rule_publish_without_hash(const PublishRows& rows,
                                                        const PublishAttempt& attempt) {
  bool hashed = false;
  PublishVerdict v = rule_publish(rows, attempt, [&](const std::string&, const std::string&) {
    hashed = true;
    return false;
  });
  if (hashed) return std::nullopt;
  return v;
}

void log_publish(Store& store, const PublishAttempt& attempt, const PublishVerdict& verdict,
                 int64_t now, const std::string& server) {
  Attempt row;
  row.cdn_id = verdict.cdn_id;
  row.datetime = now;
  row.ip = attempt.ip;
  row.video = attempt.stream;
  row.app = attempt.app;
  row.appinst = "publish";
  row.pageurl = attempt.pageurl;
  row.refurl = attempt.refurl;
  row.success = verdict.allowed;
  row.reason = verdict.reason;
  row.server = server;
  make_loggable(row);
  store.insert_attempt(row);
}

GateResult authorize_publish(Store& store, const PublishAttempt& attempt, int64_t now,
                             const std::string& server, bool log) {
  const PublishVerdict v = rule_publish(publish_rows(store, attempt), attempt, verify_password);
  if (log) log_publish(store, attempt, v, now, server);
  GateResult result;
  result.allowed = v.allowed;
  result.reason = v.reason;
  return result;
}

}  // namespace sevu::hooks

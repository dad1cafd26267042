#include "usher_service/publish_rules.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "auth/password_hash.hpp"
#include "usher_service/app_owner.hpp"
#include "usher_service/attempt_log.hpp"

namespace sevu::usher_service {

namespace {

// The row that lets this publisher in, if any.
const StreamUser* matching_row(const std::vector<StreamUser>& rows, const Credentials& given,
                               const VerifyPassword& verify) {
  for (const auto& row : rows) {
    if (!row.user) return &row;  // null user/pass: anyone may publish
  }
  if (!given.user || !given.pass) return nullptr;
  for (const auto& row : rows) {
    if (*row.user != *given.user || !row.pass_hash) continue;
    if (verify(*given.pass, *row.pass_hash)) return &row;
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

PublishRows publish_rows(Store& store, const UsherRequest& req) {
  PublishRows out;
  std::vector<StreamUser> rows = store.publish_candidates(req.app, req.video);
  // Only the app's owner configures who publishes to it (see app_owner.hpp).
  out.owner = app_owner(store, req.app);
  // Exact stream rows first, then "*" (which covers every stream), whatever
  // order the store returned.
  std::stable_partition(rows.begin(), rows.end(),
                        [&](const StreamUser& u) { return u.stream == req.video; });
  std::map<int64_t, bool> enabled;
  for (auto& row : rows) {
    if (out.owner && row.cdn_id != *out.owner) continue;
    auto& group = account_enabled(store, row.cdn_id, enabled) ? out.enabled : out.disabled;
    group.push_back(std::move(row));
  }
  return out;
}

PublishVerdict rule_publish(const PublishRows& rows, const UsherRequest& req,
                            const VerifyPassword& verify) {
  if (const StreamUser* m = matching_row(rows.enabled, req.credentials, verify))
    return {true, kPublishAuthorized, m->cdn_id};
  if (const StreamUser* m = matching_row(rows.disabled, req.credentials, verify))
    return {false, kPublishAccountDisabled, m->cdn_id};
  if (!rows.enabled.empty()) return {false, kPublishBadCredentials, rows.enabled.front().cdn_id};
  if (!rows.disabled.empty()) return {false, kPublishBadCredentials, rows.disabled.front().cdn_id};
  return {false, kPublishNoStreamUser, rows.owner.value_or(0)};
}

std::optional<PublishVerdict> rule_publish_without_hash(const PublishRows& rows,
                                                        const UsherRequest& req) {
  bool hashed = false;
  PublishVerdict v = rule_publish(rows, req, [&](const std::string&, const std::string&) {
    hashed = true;
    return false;
  });
  if (hashed) return std::nullopt;
  return v;
}

UsherDecision authorize_publish(Store& store, const UsherRequest& req, int64_t now,
                                const std::string& server) {
  const PublishVerdict v = rule_publish(publish_rows(store, req), req, verify_password);
  if (req.action == UsherAction::kPublish)
    log_attempt(store, req, v.cdn_id, v.allowed, v.reason, now, server);
  UsherDecision result;
  result.allowed = v.allowed;
  result.reason = v.reason;
  result.cdn_id = v.cdn_id;
  return result;
}

}  // namespace sevu::usher_service

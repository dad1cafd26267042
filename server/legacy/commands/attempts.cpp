// sevu.attempts (alias sevu.errorlog) lists a ticket's playback attempts,
// oldest first; sevu.errorcount counts them. Scoped to the caller's account, so
// another account's key finds nothing, exactly like an unknown key.
#include "core/datetime.hpp"
#include "legacy/commands/attempt_filter.hpp"
#include "legacy/commands/command.hpp"

namespace sevu::legacy {

namespace {

void write_attempt(JsonWriter& w, const Attempt& a) {
  w.StartObject();
  put(w, "key", a.key);
  put(w, "datetime", format_datetime(a.datetime));
  put(w, "ip", a.ip);
  put(w, "video", a.video);
  put(w, "app", a.app);
  put(w, "appinst", a.appinst);
  put(w, "pageurl", a.pageurl);
  put(w, "refurl", a.refurl);
  put(w, "success", std::string(a.success ? "1" : "0"));
  put(w, "reason", a.reason);
  put(w, "server", a.server);
  w.EndObject();
}

}  // namespace

Reply attempt_list(const CommandContext& c) {
  auto read = read_attempt_filter(c.request, c.clock.now(), true);
  if (!read.filter) return reply(Code::kBadFilter, read.bad_field);
  auto attempts = c.store.attempts(c.account.cdn_id, *read.filter);
  Reply r = reply(attempts.empty() ? Code::kNoAttempts : Code::kAttemptsFound);
  r.payload = [list = std::move(attempts)](JsonWriter& w) {
    w.Key("attempts");
    w.StartArray();
    for (const auto& a : list) write_attempt(w, a);
    w.EndArray();
  };
  return r;
}

Reply attempt_count(const CommandContext& c) {
  auto read = read_attempt_filter(c.request, c.clock.now(), false);
  if (!read.filter) return reply(Code::kBadFilter, read.bad_field);
  int64_t count = c.store.count_attempts(c.account.cdn_id, *read.filter);
  Reply r = reply(Code::kAttemptsCounted);
  r.payload = [count](JsonWriter& w) {
    w.Key("count");
    w.Int64(count);
  };
  return r;
}

}  // namespace sevu::legacy

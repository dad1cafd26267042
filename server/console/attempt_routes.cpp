// GET /console/api/attempts, /console/api/timeline and
// /console/api/tickets/{key}/attempts: the attempt log over a time range.
#include <string>
#include <vector>

#include "console/json.hpp"
#include "console/routes.hpp"
#include "console/timeline.hpp"
#include "core/datetime.hpp"
#include "core/text.hpp"
#include "v2/errors.hpp"

namespace sevu::console {

namespace {

constexpr int64_t kDefaultRange = 3600;
constexpr int64_t kMaxRange = 31 * 86400;
// One ticket's attempts are few and found by its key: its page shows the
// newest of the longest range, not of the last hour, which would leave a
// ticket last played yesterday looking unused (docs/console.md).
constexpr int64_t kTicketDefaultRange = kMaxRange;
constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 500;

std::optional<int64_t> optional_number(v2::QueryArgs& args, const char* name) {
  auto text = args.take(name);
  if (!text) return std::nullopt;
  auto n = parse_decimal(*text);
  if (!n)
    throw v2::bad_request(v2::code::kInvalidValue,
                          std::string(name) + " must be a whole number", name);
  return *n;
}

int64_t number(v2::QueryArgs& args, const char* name, int64_t fallback) {
  return optional_number(args, name).value_or(fallback);
}

// A time of the range: unix seconds within the years every date of the server
// lies in (core/datetime.hpp), like every other date it accepts.
int64_t time_arg(v2::QueryArgs& args, const char* name, int64_t fallback) {
  const int64_t t = number(args, name, fallback);
  if (t > kMaxDatetime)
    throw v2::bad_request(v2::code::kInvalidValue,
                          std::string(name) + " is past the year 9999", name);
  return t;
}

// from, to and the equality filters (docs/console.md, "Attempts and timeline").
AttemptQuery take_query(const Context& c, v2::QueryArgs& args, int64_t default_range = kDefaultRange) {
  AttemptQuery q;
  q.cdn_id = attempt_scope(c, args);
  q.to = time_arg(args, "to", c.now);
  // last: the seconds before to, counted from the server's own now, which the
  // page cannot know (ticket time may be the test clock's).
  const std::optional<int64_t> last = optional_number(args, "last");
  if (last && (*last < 0 || *last > kMaxRange))
    throw v2::bad_request(v2::code::kInvalidValue, "last must be 0 to 2678400 seconds (31 days)",
                          "last");
  const int64_t range = last.value_or(default_range);
  q.from = time_arg(args, "from", q.to > range ? q.to - range : 0);
  if (q.from > q.to) throw v2::bad_request(v2::code::kInvalidValue, "from is after to", "from");
  if (q.to - q.from > kMaxRange)
    throw v2::bad_request(v2::code::kInvalidValue, "the range is at most 31 days", "from");
  q.key = args.take("key");
  q.app = args.take("app");
  q.video = args.take("video");
  q.ip = args.take("ip");
  q.reason = args.take("reason");
  if (auto result = args.take("result")) {
    if (*result != "granted" && *result != "denied")
      throw v2::bad_request(v2::code::kInvalidValue, "result must be granted or denied",
                            "result");
    q.success = *result == "granted";
  }
  return q;
}

HttpResponse rows_reply(const Context& c, AttemptQuery q, v2::QueryArgs& args) {
  q.limit = number(args, "limit", kDefaultLimit);
  if (q.limit < 1 || q.limit > kMaxLimit)
    throw v2::bad_request(v2::code::kInvalidValue, "limit must be 1 to 500", "limit");
  q.before_id = optional_number(args, "before_id");
  q.after_id = optional_number(args, "after_id");  // the live poll: oldest first
  args.reject_rest();
  const std::vector<Attempt> rows = c.store.find_attempts(q);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("rows");
  w.StartArray();
  for (const Attempt& a : rows) write_attempt(w, a);
  w.EndArray();
  w.EndObject();
  return json_reply(200, buf);
}

}  // namespace

HttpResponse attempts(const Context& c) {
  v2::QueryArgs args(c.req.query());
  return rows_reply(c, take_query(c, args), args);
}

HttpResponse ticket_attempts(const Context& c, const std::string& key) {
  v2::QueryArgs args(c.req.query());
  const Account account = acting_account(c, args);
  if (!c.store.ticket(account.cdn_id, key)) throw v2::not_found("no such ticket");
  AttemptQuery q = take_query(c, args, kTicketDefaultRange);
  q.cdn_id = account.cdn_id;
  q.key = key;
  return rows_reply(c, q, args);
}

HttpResponse timeline(const Context& c) {
  v2::QueryArgs args(c.req.query());
  const AttemptQuery q = take_query(c, args);
  args.reject_rest();
  const int64_t step = timeline_step(q.from, q.to);
  const int64_t start = first_bucket(q.from, step);
  const int64_t count = bucket_count(start, q.to, step);
  const std::vector<Series> series =
      to_series(c.store.attempt_timeline(q, start, step), start, step, count);

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("from");
  w.Int64(q.from);
  w.Key("to");
  w.Int64(q.to);
  w.Key("step");
  w.Int64(step);
  w.Key("minutes");
  w.StartArray();
  for (int64_t i = 0; i < count; ++i) w.Int64(start + i * step);
  w.EndArray();
  w.Key("series");
  w.StartArray();
  for (const Series& s : series) {
    w.StartObject();
    put(w, "result", s.success ? "granted" : "denied");
    put(w, "reason", s.reason);
    w.Key("counts");
    w.StartArray();
    for (int64_t n : s.counts) w.Int64(n);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json_reply(200, buf);
}

}  // namespace sevu::console

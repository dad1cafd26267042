#include "app/test_fixtures.hpp"

#include "core/datetime.hpp"
#include "core/json_util.hpp"
#include "usher/decision.hpp"
#include "usher/ip_rules.hpp"

namespace sevu {

namespace {

// Reads fields of one row; the first failure names the row and the field.
class RowReader {
 public:
  RowReader(const rapidjson::Value& row, std::string where, std::string& problem)
      : row_(row), where_(std::move(where)), problem_(problem) {}

  bool text(const char* name, std::string& out, bool required) {
    if (!has_member(row_, name)) return !required || fail(name, "required");
    auto v = string_member(row_, name);
    if (!v) return fail(name, "must be a string");
    out = std::move(*v);
    return true;
  }
  // A string or null, when present.
  bool nullable_text(const char* name, std::optional<std::string>& out) {
    if (!row_.HasMember(name) || row_[name].IsNull()) return true;
    std::string v;
    if (!text(name, v, true)) return false;
    out = std::move(v);
    return true;
  }
  bool integer(const char* name, int64_t& out, bool required, int64_t min = 0) {
    if (!has_member(row_, name)) return !required || fail(name, "required");
    auto v = int_value(row_[name]);
    if (!v || *v < min) return fail(name, "must be an integer of at least " + std::to_string(min));
    out = *v;
    return true;
  }
  bool boolean(const char* name, bool& out) {
    if (!has_member(row_, name)) return true;
    auto v = bool_value(row_[name]);
    if (!v) return fail(name, "must be true or false");
    out = *v;
    return true;
  }
  // never_ok: kNeverDatetime too, as a never-used ticket shows its used_date.
  bool date(const char* name, int64_t& out, bool required, int64_t now, bool never_ok = false) {
    if (!has_member(row_, name)) return !required || fail(name, "required");
    const rapidjson::Value& value = row_[name];
    if (never_ok && value.IsString() &&
        std::string_view(value.GetString(), value.GetStringLength()) == kNeverDatetime) {
      out = 0;
      return true;
    }
    auto v = datetime_value(value, now);
    if (!v) return fail(name, "not a date");
    out = *v;
    return true;
  }
  bool fail(const std::string& field, const std::string& why) {
    problem_ = where_ + "." + field + ": " + why;
    return false;
  }

 private:
  const rapidjson::Value& row_;
  std::string where_;
  std::string& problem_;
};

bool read_ticket(const rapidjson::Value& row, const std::string& where, int64_t now, Ticket& t,
                 std::string& problem) {
  RowReader r(row, where, problem);
  t.created = now;
  if (!(r.integer("cdn_id", t.cdn_id, true, 1) && r.text("key", t.key, true) &&
        r.text("pass", t.pass, true) && r.text("ip", t.ip, false) &&
        r.text("video", t.video, true) && r.text("app", t.app, true) &&
        r.integer("uses", t.uses, true) && r.boolean("active", t.active) &&
        r.date("expire_date", t.expires, true, now) &&
        r.date("created_date", t.created, false, now) &&
        r.date("used_date", t.used, false, now, true) &&
        r.integer("max_viewers", t.max_viewers, false) && r.text("when_full", t.when_full, false)))
    return false;
  if (t.key.empty()) return r.fail("key", "must not be empty");
  if (auto bad = usher::ip_list_problem(t.ip)) return r.fail("ip", *bad);
  if (!usher::valid_when_full(t.when_full))
    return r.fail("when_full", "must be \"deny\" or \"end_oldest\"");
  return true;
}

bool read_stream_user(const rapidjson::Value& row, const std::string& where, int64_t now,
                      FixtureStreamUser& u, std::string& problem) {
  RowReader r(row, where, problem);
  StreamUser& s = u.row;
  s.created = now;
  s.stream = "*";
  if (!(r.integer("cdn_id", s.cdn_id, true, 1) && r.text("app", s.app, true) &&
        r.text("stream", s.stream, false) && r.nullable_text("user", s.user) &&
        r.nullable_text("pass", u.pass) && r.boolean("record", s.record) &&
        r.text("record_type", s.record_type, false) &&
        r.text("segment_type", s.segment_type, false) &&
        r.text("segment_value", s.segment_value, false) &&
        r.text("save_folder", s.save_folder, false) &&
        r.integer("playlist_count", s.playlist_count, false) &&
        r.integer("playlist_timeout", s.playlist_timeout, false) &&
        r.boolean("enable_dvr", s.enable_dvr) && r.text("ga_key", s.ga_key, false)))
    return false;
  // As the legacy API has it: a user and a password together, or neither.
  if (s.user.has_value() != u.pass.has_value())
    return r.fail("pass", "give user and pass together, or both null");
  return true;
}

template <class Row, class Read>
bool read_rows(const rapidjson::Value& doc, const char* name, int64_t now, std::vector<Row>& out,
               std::string& problem, Read read) {
  if (!has_member(doc, name)) return true;
  const rapidjson::Value& rows = doc[name];
  if (!rows.IsArray()) {
    problem = std::string(name) + ": must be an array";
    return false;
  }
  for (rapidjson::SizeType i = 0; i < rows.Size(); ++i) {
    const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
    if (!rows[i].IsObject()) {
      problem = where + ": must be an object";
      return false;
    }
    Row row;
    if (!read(rows[i], where, now, row, problem)) return false;
    out.push_back(std::move(row));
  }
  return true;
}

}  // namespace

std::optional<Fixtures> parse_fixtures(const rapidjson::Value& doc, int64_t now,
                                       std::string& problem) {
  if (!doc.IsObject()) {
    problem = "body must be a JSON object";
    return std::nullopt;
  }
  Fixtures f;
  if (!read_rows(doc, "tickets", now, f.tickets, problem, read_ticket) ||
      !read_rows(doc, "stream_users", now, f.stream_users, problem, read_stream_user))
    return std::nullopt;
  return f;
}

}  // namespace sevu

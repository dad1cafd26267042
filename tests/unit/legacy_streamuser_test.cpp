// The stream-user commands, called as the dispatcher calls them (CommandContext)
// against a real SQLite store in a temporary directory. Replies are checked by
// code, message and the JSON their payload writes.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "auth/password_hash.hpp"
#include "core/clock.hpp"
#include "core/json_util.hpp"
#include "legacy/commands/command.hpp"
#include "legacy/commands/stream_users/commands.hpp"
#include "legacy/commands/stream_users/fields.hpp"
#include "legacy/commands/stream_users/json.hpp"
#include "legacy/wire/envelope.hpp"
#include "store/store.hpp"

using namespace sevu;
using namespace sevu::legacy;

namespace {

struct Result {
  int code = -1;
  bool success = false;
  std::string message;
  std::string payload_text;  // the payload members wrapped in {}
  rapidjson::Document payload;

  const rapidjson::Value& user() const {
    REQUIRE(payload.HasMember("user"));
    REQUIRE(payload["user"].IsObject());
    return payload["user"];
  }
  const rapidjson::Value& users() const {
    REQUIRE(payload.HasMember("users"));
    REQUIRE(payload["users"].IsArray());
    return payload["users"];
  }
};

bool success_of(Code code) {
  return code_info(code).success;
}

std::string str(const rapidjson::Value& obj, const char* name) {
  REQUIRE(obj.HasMember(name));
  REQUIRE(obj[name].IsString());
  return obj[name].GetString();
}

int64_t num(const rapidjson::Value& obj, const char* name) {
  REQUIRE(obj.HasMember(name));
  REQUIRE(obj[name].IsInt64());
  return obj[name].GetInt64();
}

class Fixture {
 public:
  Fixture() {
    char tmpl[] = "/tmp/sevu-streamuser-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    store = open_sqlite_store(dir_ + "/sevu.db");
    demo = account(158, "demo", 50);
    other = account(2001, "other", 3);
    REQUIRE(store->insert_account(demo));
    REQUIRE(store->insert_account(other));
    config.origin_host = "origin.example.com";
  }
  ~Fixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static Account account(int64_t cdn, const std::string& name, int64_t max_users) {
    Account a;
    a.cdn_id = cdn;
    a.username = name;
    a.api_key = std::string(32, static_cast<char>('A' + cdn % 26));
    a.secret = std::string(64, 'a');
    a.max_stream_users = max_users;
    return a;
  }

  // prepare: the command's prepare step (command.hpp), run first as the dispatcher does.
  Result run(CommandHandler handler, const std::string& json, const Account* as = nullptr,
             CommandPrepare prepare = nullptr) {
    rapidjson::Document request;
    request.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    INFO("request: " << json);
    REQUIRE_FALSE(request.HasParseError());
    CommandContext c{request, as ? *as : demo, *store, clock, config, {}};
    if (prepare) c.prepared = prepare(request);
    const Reply reply = handler(c);
    Result r;
    r.code = static_cast<int>(reply.code);
    r.success = success_of(reply.code);
    r.message = reply.message;
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    if (reply.payload) reply.payload(w);
    w.EndObject();
    r.payload_text.assign(buf.GetString(), buf.GetSize());
    r.payload.Parse(r.payload_text.c_str());
    REQUIRE_FALSE(r.payload.HasParseError());
    return r;
  }

  Result add(const std::string& fields, const Account* as = nullptr) {
    return run(&stream_user_add, "{" + fields + "}", as, &stream_user_add_prepare);
  }
  // A valid add with the given extra fields; returns the new id.
  int64_t added(const std::string& app, const std::string& stream, const std::string& user,
                const std::string& extra = "", const Account* as = nullptr) {
    const Result r = add(R"("app":")" + app + R"(","stream":")" + stream + R"(","user":)" +
                             (user == "null" ? "null" : "\"" + user + "\"") + R"(,"pass":)" +
                             (user == "null" ? "null" : "\"pw-" + user + "-0123456789\"") + extra,
                         as);
    INFO(r.message);
    REQUIRE(r.code == 2071);
    return num(r.user(), "id");
  }

  Clock clock;
  LegacyConfig config;
  std::unique_ptr<Store> store;
  Account demo, other;

 private:
  std::string dir_;
};

const std::string kBasic =
    R"("app":"demo-origin","stream":"mystream","user":"username_1","pass":"unique_random_string_per_request")";

}  // namespace

TEST_CASE("addstreamuser: the upstream example is added") {
  Fixture f;
  const Result r = f.add(kBasic + R"(,"record":true,"record_type":"stream","segment_type":"size",
      "segment_value":15,"save_folder":"stream_folder","playlist_count":6,"playlist_timeout":600,
      "enable_dvr":true,"ga_key":"")");
  INFO(r.message);
  CHECK(r.code == 2071);
  CHECK(r.success);
  CHECK(r.message == "Stream User Added");
  const rapidjson::Value& u = r.user();
  CHECK(num(u, "id") > 0);
  CHECK(str(u, "app") == "demo-origin");
  CHECK(str(u, "stream") == "mystream");
  CHECK(str(u, "user") == "username_1");
  CHECK(str(u, "origin_url") == "rtmp://origin.example.com/demo-origin");
  CHECK(str(u, "playback_url") == "http://origin.example.com/demo-origin/mystream/playlist.m3u8");
  CHECK(str(u, "ga_key").empty());
  CHECK(u["record"].GetBool());
  CHECK(str(u, "record_type") == "stream");
  CHECK(str(u, "segment_type") == "size");
  CHECK(num(u, "segment_value") == 15);
  CHECK(str(u, "save_folder") == "stream_folder");
  CHECK(num(u, "playlist_count") == 6);
  CHECK(num(u, "playlist_timeout") == 600);
  CHECK(u["enable_dvr"].GetBool());

  // Stored with the account and a verifiable PBKDF2 hash, never the password.
  const auto stored = f.store->stream_user(158, num(u, "id"));
  REQUIRE(stored);
  CHECK(stored->cdn_id == 158);
  REQUIRE(stored->pass_hash);
  CHECK(stored->pass_hash->rfind("$pbkdf2-sha256$", 0) == 0);
  CHECK(stored->pass_hash->find("unique_random_string_per_request") == std::string::npos);
  CHECK(verify_password("unique_random_string_per_request", *stored->pass_hash));
  CHECK_FALSE(verify_password("wrong", *stored->pass_hash));
  CHECK(r.payload_text.find("unique_random_string_per_request") == std::string::npos);
  CHECK(r.payload_text.find("pbkdf2") == std::string::npos);
  CHECK(r.payload_text.find("pass") == std::string::npos);
}

TEST_CASE("addstreamuser: defaults for the optional settings") {
  Fixture f;
  const Result r = f.add(kBasic);
  REQUIRE(r.code == 2071);
  const rapidjson::Value& u = r.user();
  CHECK_FALSE(u["record"].GetBool());
  CHECK(str(u, "record_type") == "stream");
  CHECK(str(u, "segment_type") == "disabled");
  CHECK(u["segment_value"].IsNull());
  CHECK(str(u, "save_folder").empty());
  CHECK(num(u, "playlist_count") == 4);
  CHECK(num(u, "playlist_timeout") == 600);
  CHECK(u["enable_dvr"].GetBool());
  CHECK(str(u, "ga_key").empty());
}

TEST_CASE("addstreamuser: missing required fields are code 6, listed in order") {
  Fixture f;
  Result r = f.add("");
  CHECK(r.code == 6);
  CHECK_FALSE(r.success);
  CHECK(r.message == "One or more required fields are missing: app, stream, user, pass");
  r = f.add(R"("app":"demo-origin","pass":"x")");
  CHECK(r.message == "One or more required fields are missing: stream, user");
  // null and "" are "not given" for app/stream; "" for user/pass too.
  r = f.add(R"("app":null,"stream":"","user":"","pass":"pw")");
  CHECK(r.message == "One or more required fields are missing: app, stream, user");
  // user/pass sent as null are answers, not omissions.
  r = f.add(R"("app":"demo-origin","stream":"s","user":null,"pass":null)");
  CHECK(r.code == 2071);
  CHECK(f.store->count_stream_users(158) == 1);
}

TEST_CASE("addstreamuser: user and pass null together disable authentication") {
  Fixture f;
  const Result r = f.add(
      R"("app":"demo-origin","stream":"open","user":null,"pass":null,"record":true,"segment_type":"duration","segment_value":"30")");
  REQUIRE(r.code == 2071);
  CHECK(r.user()["user"].IsNull());
  CHECK(num(r.user(), "segment_value") == 30);
  const auto stored = f.store->stream_user(158, num(r.user(), "id"));
  REQUIRE(stored);
  CHECK_FALSE(stored->user);
  CHECK_FALSE(stored->pass_hash);
  CHECK(stored->record);

  for (const char* half : {R"("user":null,"pass":"pw")", R"("user":"u","pass":null)"}) {
    const Result bad = f.add(R"("app":"demo-origin","stream":"half",)" + std::string(half));
    CHECK(bad.code == 2070);
    CHECK_FALSE(bad.success);
    CHECK(bad.message ==
          "Stream User could not be created: user and pass must both be null to disable "
          "authentication");
  }
  CHECK(f.store->count_stream_users(158) == 1);
}

TEST_CASE("addstreamuser: the wildcard stream") {
  Fixture f;
  const Result r = f.add(R"("app":"demo-origin","stream":"*","user":"all","pass":"pw")");
  REQUIRE(r.code == 2071);
  CHECK(str(r.user(), "stream") == "*");
  CHECK(str(r.user(), "playback_url") == "http://origin.example.com/demo-origin/*/playlist.m3u8");
  CHECK(f.add(R"("app":"demo-origin","stream":"a*","user":"all","pass":"pw")").code == 2070);
  CHECK(f.add(R"("app":"demo-origin","stream":"**","user":"all","pass":"pw")").code == 2070);
}

TEST_CASE("addstreamuser: segment_type may only be schedule, size, duration or disabled (9)") {
  Fixture f;
  for (const char* type :
       {R"("weekly")", R"("Size")", R"("none")", R"(" size")", "5", "true", "[]", "{}"}) {
    const Result r = f.add(kBasic + R"(,"segment_type":)" + type + R"(,"segment_value":5)");
    INFO(type);
    CHECK(r.code == 9);
    CHECK_FALSE(r.success);
    CHECK(r.message == "Segment Type may only be schedule, size, or duration.");
    CHECK(str(r.payload, "detail") == "segment_type must be schedule, size, duration or disabled");
  }
  CHECK(f.store->count_stream_users(158) == 0);
  for (const char* type : {"schedule", "size", "duration", "disabled"}) {
    const std::string value = std::string(type) == "schedule" ? R"("0 * * * *")" : "5";
    const Result r = f.add(R"("app":"demo-origin","stream":")" + std::string(type) +
                           R"(","user":"u","pass":"pw","segment_type":")" + type +
                           R"(","segment_value":)" + value);
    INFO(type << ": " << r.message);
    CHECK(r.code == 2071);
    CHECK(str(r.user(), "segment_type") == type);
  }
}

TEST_CASE("addstreamuser: duration and size need a value greater than 0 (10)") {
  Fixture f;
  for (const char* type : {"size", "duration"}) {
    for (const char* value :
         {"0", "-1", R"("0")", R"("-5")", R"("abc")", R"("")", "1.5", "15.0", "true", "null",
          "2147483648", "99999999999999999999", R"("1e3")", R"(" 5")", "[5]"}) {
      const Result r =
          f.add(kBasic + R"(,"segment_type":")" + type + R"(","segment_value":)" + value);
      INFO(type << " " << value << ": " << r.message);
      CHECK(r.code == 10);
      CHECK_FALSE(r.success);
      CHECK(r.message == "Segments of Duration and Size require a value greater than 0.");
      CHECK(str(r.payload, "detail").rfind("segment_value must be a whole number", 0) == 0);
    }
    // Missing entirely.
    CHECK(f.add(kBasic + R"(,"segment_type":")" + type + R"(")").code == 10);
  }
  CHECK(f.store->count_stream_users(158) == 0);
  // Integers and digit strings, up to 2^31-1.
  CHECK(f.added("demo-origin", "a", "u", R"(,"segment_type":"size","segment_value":1)") > 0);
  CHECK(f.added("demo-origin", "b", "u", R"(,"segment_type":"size","segment_value":"0015")") > 0);
  CHECK(f.added("demo-origin", "c", "u",
                R"(,"segment_type":"duration","segment_value":2147483647)") > 0);
  const auto b = f.store->stream_users(158, std::string("demo-origin"), std::string("b"));
  REQUIRE(b.size() == 1);
  CHECK(b[0].segment_value == "15");
}

TEST_CASE("addstreamuser: schedule needs a valid crontab (11)") {
  Fixture f;
  for (const char* value : {R"("* * * *")", R"("@daily")", R"("*/0 * * * *")", R"("60 * * * *")",
                            R"("1,,2 * * * *")", R"("* * * * * *")", R"("30-10 * * * *")",
                            R"("*/15 * * * * ")", R"("")", "15", "null", R"("0 0 L * *")"}) {
    const Result r = f.add(kBasic + R"(,"segment_type":"schedule","segment_value":)" + value);
    INFO(value << ": " << r.message);
    CHECK(r.code == 11);
    CHECK_FALSE(r.success);
    CHECK(r.message == "Invalid CRONTAB expression given.");
    CHECK_FALSE(str(r.payload, "detail").empty());
  }
  const Result hour = f.add(kBasic + R"(,"segment_type":"schedule","segment_value":"* 24 * * *")");
  CHECK(hour.message == "Invalid CRONTAB expression given.");
  CHECK(str(hour.payload, "detail") == "hour: 24 is out of range 0-23");
  CHECK(f.store->count_stream_users(158) == 0);

  const Result ok = f.add(kBasic + R"(,"segment_type":"schedule","segment_value":"*/15 * * * *")");
  REQUIRE(ok.code == 2071);
  CHECK(str(ok.user(), "segment_value") == "*/15 * * * *");
}

TEST_CASE("addstreamuser: a disabled segment_type keeps no value") {
  Fixture f;
  const Result r = f.add(kBasic + R"(,"segment_type":"disabled","segment_value":"junk")");
  REQUIRE(r.code == 2071);
  CHECK(r.user()["segment_value"].IsNull());
  CHECK(f.store->stream_user(158, num(r.user(), "id"))->segment_value.empty());
}

TEST_CASE("addstreamuser: other bad values are 2070 naming the field") {
  Fixture f;
  struct Case {
    const char* fields;
    const char* message_start;
  };
  const Case cases[] = {
      {R"("save_folder":"a/b")", "Stream User could not be created: save_folder may contain only"},
      {R"("save_folder":"../x")", "Stream User could not be created: save_folder"},
      {R"("save_folder":"a b")", "Stream User could not be created: save_folder"},
      {R"("save_folder":5)", "Stream User could not be created: save_folder"},
      {R"("playlist_count":3)",
       "Stream User could not be created: playlist_count must be a whole "
       "number from 4 to 100"},
      {R"("playlist_count":101)", "Stream User could not be created: playlist_count"},
      {R"("playlist_count":6.5)", "Stream User could not be created: playlist_count"},
      {R"("playlist_count":"six")", "Stream User could not be created: playlist_count"},
      {R"("playlist_timeout":59)",
       "Stream User could not be created: playlist_timeout must be a "
       "whole number from 60 to 1200"},
      {R"("playlist_timeout":1201)", "Stream User could not be created: playlist_timeout"},
      {R"("enable_dvr":"yes")",
       "Stream User could not be created: enable_dvr must be true or false"},
      {R"("enable_dvr":2)", "Stream User could not be created: enable_dvr"},
      {R"("record":"maybe")", "Stream User could not be created: record must be true or false"},
      {R"("record_type":"movie")", "Stream User could not be created: record_type"},
      {R"("record_type":1)", "Stream User could not be created: record_type"},
      {R"("ga_key":"<script>")", "Stream User could not be created: ga_key"},
      {R"("ga_key":["UA-1"])", "Stream User could not be created: ga_key"},
  };
  for (const Case& c : cases) {
    const Result r = f.add(kBasic + "," + c.fields);
    INFO(c.fields << ": " << r.message);
    CHECK(r.code == 2070);
    CHECK_FALSE(r.success);
    CHECK(r.message.rfind(c.message_start, 0) == 0);
  }
  CHECK(f.store->count_stream_users(158) == 0);
}

TEST_CASE("addstreamuser: bad app, stream, user or pass are 2070") {
  Fixture f;
  const char* cases[] = {
      R"("app":"demo/origin","stream":"s","user":"u","pass":"p")",
      R"("app":"demo origin","stream":"s","user":"u","pass":"p")",
      R"("app":5,"stream":"s","user":"u","pass":"p")",
      R"("app":"demo-origin","stream":"s/../x","user":"u","pass":"p")",
      R"("app":"demo-origin","stream":"s?x=1","user":"u","pass":"p")",
      R"("app":"demo-origin","stream":["s"],"user":"u","pass":"p")",
      R"("app":"demo-origin","stream":"s","user":"u&x=1","pass":"p")",
      R"("app":"demo-origin","stream":"s","user":"with space","pass":"p")",
      R"("app":"demo-origin","stream":"s","user":5,"pass":"p")",
      R"("app":"demo-origin","stream":"s","user":"u","pass":5)",
      R"("app":"demo-origin","stream":"s","user":"u","pass":"tab\there")",
  };
  for (const char* c : cases) {
    const Result r = f.add(c);
    INFO(c << ": " << r.message);
    CHECK(r.code == 2070);
    CHECK(r.message.rfind("Stream User could not be created: ", 0) == 0);
  }
  const Result long_app = f.add(R"("app":")" + std::string(kMaxAppLength + 1, 'a') +
                                R"(","stream":"s","user":"u","pass":"p")");
  CHECK(long_app.code == 2070);
  const Result long_pass = f.add(R"("app":"a","stream":"s","user":"u","pass":")" +
                                 std::string(kMaxPassLength + 1, 'p') + R"(")");
  CHECK(long_pass.code == 2070);
  CHECK(f.store->count_stream_users(158) == 0);
  // Unicode passwords are fine.
  CHECK(f.add(R"("app":"a","stream":"s","user":"u","pass":"p\u00e4ss\u4e16")").code == 2071);
}

TEST_CASE("addstreamuser: the same app, stream and user twice is refused") {
  Fixture f;
  REQUIRE(f.add(kBasic).code == 2071);
  const Result again = f.add(kBasic);
  CHECK(again.code == 2070);
  CHECK(again.message.find("already exists") != std::string::npos);
  // The same name on another stream, or another account, is a different stream user.
  CHECK(f.added("demo-origin", "other", "username_1") > 0);
  CHECK(f.add(kBasic, &f.other).code == 2071);
  // One unauthenticated row per app and stream.
  CHECK(f.added("demo-origin", "open", "null") > 0);
  CHECK(f.add(R"("app":"demo-origin","stream":"open","user":null,"pass":null)").code == 2070);
}

TEST_CASE("addstreamuser: the per-account maximum (2072)") {
  Fixture f;  // other may have 3
  for (int i = 0; i < 3; ++i) f.added("other-app", "s" + std::to_string(i), "u", "", &f.other);
  const Result r = f.add(R"("app":"other-app","stream":"s9","user":"u","pass":"p")", &f.other);
  CHECK(r.code == 2072);
  CHECK_FALSE(r.success);
  CHECK(r.message == "Exceeded maximum stream accounts");
  CHECK(str(r.payload, "detail") == "this account may have at most 3 stream users");
  CHECK(f.store->count_stream_users(2001) == 3);
  // Another account's count is its own.
  CHECK(f.add(kBasic).code == 2071);
  // Room again after a removal.
  REQUIRE(f.run(&stream_user_remove, R"({"app":"other-app","stream":"s0","user":"u"})", &f.other)
              .code == 2094);
  CHECK(f.add(R"("app":"other-app","stream":"s9","user":"u","pass":"p")", &f.other).code == 2071);

  Account none = f.demo;
  none.max_stream_users = 0;
  CHECK(f.add(R"("app":"x","stream":"s","user":"u","pass":"p")", &none).code == 2072);
}

TEST_CASE("origin_url and playback_url follow the configuration") {
  Fixture f;
  f.config.origin_host = "live.example.net:1935";
  f.config.playback_url_template = "https://cdn.example.net/{app}/{stream}.m3u8?o={origin_host}";
  const Result r = f.add(kBasic);
  REQUIRE(r.code == 2071);
  CHECK(str(r.user(), "origin_url") == "rtmp://live.example.net:1935/demo-origin");
  CHECK(str(r.user(), "playback_url") ==
        "https://cdn.example.net/demo-origin/mystream.m3u8?o=live.example.net:1935");

  LegacyConfig c;
  c.origin_host = "h";
  CHECK(playback_url(c, "a", "s") == "http://h/a/s/playlist.m3u8");
  c.playback_url_template = "{app}{app}/{unknown}/{stream/{{stream}}";
  CHECK(playback_url(c, "a", "s") == "aa/{unknown}/{stream/{s}");
  c.playback_url_template = "x/{stream}";
  CHECK(playback_url(c, "a", "{app}") == "x/{app}");  // substituted values are not re-expanded
  CHECK(origin_url(c, "app") == "rtmp://h/app");
}

TEST_CASE("liststreamusers: all, by app, by stream, and none (2090)") {
  Fixture f;
  Result r = f.run(&stream_user_list, "{}");
  CHECK(r.code == 2090);
  CHECK(r.success);
  CHECK(r.message == "Stream Users were not found");
  CHECK(r.users().Size() == 0);

  const int64_t a = f.added("demo-origin", "mystream", "username_1");
  const int64_t b = f.added("demo-origin", "*", "all");
  const int64_t c = f.added("other-app", "mystream", "null");
  f.added("demo-origin", "mystream", "u2", "", &f.other);  // another account

  r = f.run(&stream_user_list, "{}");
  CHECK(r.code == 2091);
  CHECK(r.message == "Stream Users Found");
  REQUIRE(r.users().Size() == 3);
  CHECK(num(r.users()[0], "id") == a);
  CHECK(num(r.users()[1], "id") == b);
  CHECK(num(r.users()[2], "id") == c);
  CHECK(r.users()[2]["user"].IsNull());
  CHECK(r.payload_text.find("pw-") == std::string::npos);
  CHECK(r.payload_text.find("pbkdf2") == std::string::npos);
  // The documented member names, without upstream's "playback_url " typo.
  for (const char* m : {"id", "app", "stream", "user", "origin_url", "playback_url", "ga_key"}) {
    CHECK(r.users()[0].HasMember(m));
  }
  CHECK_FALSE(r.users()[0].HasMember("playback_url "));
  CHECK_FALSE(r.users()[0].HasMember("pass"));
  CHECK_FALSE(r.users()[0].HasMember("pass_hash"));

  r = f.run(&stream_user_list, R"({"app":"demo-origin"})");
  CHECK(r.users().Size() == 2);
  r = f.run(&stream_user_list, R"({"stream":"mystream"})");
  REQUIRE(r.users().Size() == 2);
  CHECK(num(r.users()[0], "id") == a);
  CHECK(num(r.users()[1], "id") == c);
  r = f.run(&stream_user_list, R"({"app":"demo-origin","stream":"mystream"})");
  REQUIRE(r.users().Size() == 1);
  CHECK(str(r.users()[0], "user") == "username_1");
  r = f.run(&stream_user_list, R"({"app":"demo-origin","stream":"*"})");
  REQUIRE(r.users().Size() == 1);  // "*" is the literal row, not a wildcard filter
  CHECK(num(r.users()[0], "id") == b);
  r = f.run(&stream_user_list, R"({"app":"nope"})");
  CHECK(r.code == 2090);
  r = f.run(&stream_user_list, R"({"app":"","stream":null})");  // "not given"
  CHECK(r.users().Size() == 3);
  r = f.run(&stream_user_list, R"({"app":5})");
  CHECK(r.code == 2098);
  CHECK_FALSE(r.success);

  r = f.run(&stream_user_list, "{}", &f.other);
  REQUIRE(r.users().Size() == 1);
  CHECK(str(r.users()[0], "user") == "u2");
}

TEST_CASE("retrievestreamuser: by id or by app+stream+user (2092/2093)") {
  Fixture f;
  const int64_t id = f.added("demo-origin", "mystream", "username_1",
                             R"(,"segment_type":"schedule","segment_value":"0 */2 * * 1-5")");
  const int64_t open = f.added("demo-origin", "mystream", "null");
  const int64_t foreign = f.added("demo-origin", "mystream", "username_1", "", &f.other);

  Result r = f.run(&stream_user_retrieve, R"({"streamuser_id":)" + std::to_string(id) + "}");
  CHECK(r.code == 2092);
  CHECK(r.success);
  CHECK(r.message == "Stream User Found");
  CHECK(num(r.user(), "id") == id);
  CHECK(str(r.user(), "segment_value") == "0 */2 * * 1-5");
  CHECK_FALSE(r.user().HasMember("pass"));
  CHECK(r.payload_text.find("pbkdf2") == std::string::npos);

  r = f.run(&stream_user_retrieve, R"({"streamuser_id":")" + std::to_string(id) + R"("})");
  CHECK(r.code == 2092);
  r = f.run(&stream_user_retrieve,
            R"({"app":"demo-origin","stream":"mystream","user":"username_1"})");
  CHECK(r.code == 2092);
  CHECK(num(r.user(), "id") == id);
  r = f.run(&stream_user_retrieve, R"({"app":"demo-origin","stream":"mystream","user":null})");
  CHECK(r.code == 2092);
  CHECK(num(r.user(), "id") == open);

  // Not found, and another account's row looks exactly the same.
  const Result missing = f.run(&stream_user_retrieve, R"({"streamuser_id":999999})");
  const Result theirs =
      f.run(&stream_user_retrieve, R"({"streamuser_id":)" + std::to_string(foreign) + "}");
  CHECK(missing.code == 2093);
  CHECK_FALSE(missing.success);
  CHECK(missing.message == "Stream User not found");
  CHECK(theirs.code == missing.code);
  CHECK(theirs.message == missing.message);
  CHECK(theirs.payload_text == missing.payload_text);
  CHECK(f.run(&stream_user_retrieve,
              R"({"app":"demo-origin","stream":"mystream","user":"username_2"})")
            .code == 2093);
  CHECK(f.run(&stream_user_retrieve, R"({"app":"demo-origin","stream":"*","user":"username_1"})")
            .code == 2093);

  // The request must name one.
  r = f.run(&stream_user_retrieve, "{}");
  CHECK(r.code == 6);
  CHECK(r.message ==
        "One or more required fields are missing: streamuser_id (or app, stream, user)");
  r = f.run(&stream_user_retrieve, R"({"app":"demo-origin"})");
  CHECK(r.message == "One or more required fields are missing: stream, user");
  r = f.run(&stream_user_retrieve, R"({"streamuser_id":"abc"})");
  CHECK(r.code == 2098);
  CHECK(r.message == "invalid field value: streamuser_id (must be a whole number)");
  CHECK(f.run(&stream_user_retrieve, R"({"streamuser_id":-1})").code == 2093);
  CHECK(f.run(&stream_user_retrieve, R"({"app":1,"stream":"s","user":"u"})").code == 2098);
}

TEST_CASE("removestreamuser: by id or by app+stream+user (2094/2095)") {
  Fixture f;
  const int64_t id = f.added("demo-origin", "a", "u");
  f.added("demo-origin", "b", "u");
  const int64_t foreign = f.added("demo-origin", "a", "u", "", &f.other);

  const Result theirs =
      f.run(&stream_user_remove, R"({"streamuser_id":)" + std::to_string(foreign) + "}");
  const Result missing = f.run(&stream_user_remove, R"({"streamuser_id":424242})");
  CHECK(theirs.code == 2095);
  CHECK_FALSE(theirs.success);
  CHECK(theirs.message == "Stream User not found");
  CHECK(theirs.code == missing.code);
  CHECK(theirs.message == missing.message);
  CHECK(theirs.payload_text == missing.payload_text);
  CHECK(f.store->stream_user(2001, foreign));

  Result r = f.run(&stream_user_remove, R"({"streamuser_id":)" + std::to_string(id) + "}");
  CHECK(r.code == 2094);
  CHECK(r.success);
  CHECK(r.message == "Stream User Removed");
  CHECK(num(r.payload, "id") == id);
  CHECK_FALSE(f.store->stream_user(158, id));
  CHECK(f.run(&stream_user_remove, R"({"streamuser_id":)" + std::to_string(id) + "}").code == 2095);

  r = f.run(&stream_user_remove, R"({"app":"demo-origin","stream":"b","user":"u"})");
  CHECK(r.code == 2094);
  CHECK(f.store->count_stream_users(158) == 0);
  CHECK(f.store->count_stream_users(2001) == 1);
  CHECK(f.run(&stream_user_remove, "{}").code == 6);
  CHECK(f.run(&stream_user_remove, R"({"streamuser_id":"1; DROP TABLE x"})").code == 2098);
}

TEST_CASE("updatestream: changes only what is sent (2096/2097)") {
  Fixture f;
  const int64_t id =
      f.added("demo-origin", "mystream", "u",
              R"(,"record":true,"segment_type":"size","segment_value":15,"ga_key":"UA-1-1")");
  const std::string sid = R"("stream_id":)" + std::to_string(id);

  Result r = f.run(&stream_user_update, "{" + sid + R"(,"playlist_count":8,"enable_dvr":false})");
  CHECK(r.code == 2096);
  CHECK(r.success);
  CHECK(r.message == "Stream Updated");
  CHECK(num(r.user(), "playlist_count") == 8);
  CHECK_FALSE(r.user()["enable_dvr"].GetBool());
  CHECK(r.user()["record"].GetBool());  // untouched
  CHECK(num(r.user(), "segment_value") == 15);
  CHECK(str(r.user(), "ga_key") == "UA-1-1");
  auto stored = f.store->stream_user(158, id);
  REQUIRE(stored);
  CHECK(stored->playlist_count == 8);
  CHECK_FALSE(stored->enable_dvr);
  const std::string hash_before = stored->pass_hash.value_or("");

  // "" clears ga_key and save_folder; segment changes are checked together.
  r = f.run(&stream_user_update,
            "{" + sid + R"(,"ga_key":"","segment_type":"schedule","segment_value":"0 0 * * sun"})");
  CHECK(r.code == 2096);
  CHECK(str(r.user(), "ga_key").empty());
  CHECK(str(r.user(), "segment_value") == "0 0 * * sun");
  stored = f.store->stream_user(158, id);
  CHECK(stored->pass_hash.value_or("") == hash_before);  // credentials untouched
  CHECK(stored->user == std::optional<std::string>("u"));

  // Switching to size without a value is checked against the stored crontab: 10.
  r = f.run(&stream_user_update, "{" + sid + R"(,"segment_type":"size"})");
  CHECK(r.code == 10);
  // A value alone is judged by the stored type (schedule).
  r = f.run(&stream_user_update, "{" + sid + R"(,"segment_value":"*/5 * * *"})");
  CHECK(r.code == 11);
  r = f.run(&stream_user_update, "{" + sid + R"(,"segment_value":"*/5 * * * *"})");
  CHECK(r.code == 2096);
  CHECK(str(r.user(), "segment_value") == "*/5 * * * *");
  r = f.run(&stream_user_update, "{" + sid + R"(,"segment_type":"monthly"})");
  CHECK(r.code == 9);
  r = f.run(&stream_user_update, "{" + sid + R"(,"segment_type":"disabled"})");
  CHECK(r.code == 2096);
  CHECK(r.user()["segment_value"].IsNull());

  // A refused update changes nothing.
  r = f.run(&stream_user_update, "{" + sid + R"(,"record":false,"playlist_count":2})");
  CHECK(r.code == 2098);
  CHECK_FALSE(r.success);
  CHECK(r.message == "invalid field value: playlist_count (must be a whole number from 4 to 100)");
  CHECK(f.store->stream_user(158, id)->record);

  // With nothing to change it still answers with the stream user.
  r = f.run(&stream_user_update, "{" + sid + "}");
  CHECK(r.code == 2096);
  CHECK(num(r.user(), "id") == id);
}

TEST_CASE("updatestream: identity fields are not changeable there") {
  Fixture f;
  const int64_t id = f.added("demo-origin", "mystream", "u");
  const std::string sid = R"("stream_id":)" + std::to_string(id);
  for (const char* field : {R"("user":"v")", R"("pass":"new")", R"("pass":null)",
                            R"("app":"demo-origin")", R"("stream":"x")"}) {
    const Result r = f.run(&stream_user_update, "{" + sid + "," + field + "}");
    INFO(field);
    CHECK(r.code == 2098);
    CHECK(r.message.find("cannot be changed by sevu.updatestream") != std::string::npos);
  }
}

TEST_CASE("updatestream: missing, malformed, unknown and foreign ids") {
  Fixture f;
  const int64_t foreign = f.added("demo-origin", "mystream", "u", "", &f.other);
  Result r = f.run(&stream_user_update, R"({"record":true})");
  CHECK(r.code == 6);
  CHECK(r.message == "One or more required fields are missing: stream_id");
  r = f.run(&stream_user_update, R"({"stream_id":"x1"})");
  CHECK(r.code == 2098);
  CHECK(r.message == "invalid field value: stream_id (must be a whole number)");

  const Result missing = f.run(&stream_user_update, R"({"stream_id":31337,"record":true})");
  const Result theirs = f.run(&stream_user_update,
                              R"({"stream_id":)" + std::to_string(foreign) + R"(,"record":true})");
  CHECK(missing.code == 2097);
  CHECK_FALSE(missing.success);
  CHECK(missing.message == "Stream not found");
  CHECK(theirs.code == missing.code);
  CHECK(theirs.message == missing.message);
  CHECK(theirs.payload_text == missing.payload_text);
  CHECK_FALSE(f.store->stream_user(2001, foreign)->record);
  // Bad values do not tell a foreign id from a missing one either.
  const Result bad_missing =
      f.run(&stream_user_update, R"({"stream_id":31337,"playlist_count":1})");
  const Result bad_theirs =
      f.run(&stream_user_update,
            R"({"stream_id":)" + std::to_string(foreign) + R"(,"playlist_count":1})");
  CHECK(bad_missing.code == bad_theirs.code);
  CHECK(bad_missing.message == bad_theirs.message);
}

TEST_CASE("every stream-user code has one row, with upstream's texts") {
  std::vector<int> codes;
  for (const CodeInfo& info : all_codes()) {
    const int n = static_cast<int>(info.code);
    if ((n >= 9 && n <= 11) || (n >= 2070 && n <= 2098)) codes.push_back(n);
  }
  CHECK(codes == std::vector<int>{9, 10, 11, 2070, 2071, 2072, 2090, 2091, 2092, 2093, 2094, 2095,
                                  2096, 2097, 2098});
  CHECK(reply(Code::kStreamUserAdded).message == "Stream User Added");
  CHECK(reply(Code::kStreamUsersFound).message == "Stream Users Found");
  CHECK(reply(Code::kStreamUserLimitReached).message == "Exceeded maximum stream accounts");
  // Upstream's fixed texts stay verbatim; the detail travels beside them.
  for (const Code code : {Code::kSegmentTypeInvalid, Code::kSegmentValueNotPositive,
                          Code::kCrontabInvalid, Code::kStreamUserLimitReached}) {
    const Reply r = reply(code, "why");
    CHECK(r.message == reply(code).message);
    REQUIRE(r.payload);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    r.payload(w);
    w.EndObject();
    CHECK(std::string(buf.GetString()) == R"({"detail":"why"})");
  }
  CHECK(reply(Code::kSegmentTypeInvalid).message ==
        "Segment Type may only be schedule, size, or duration.");
  CHECK(reply(Code::kSegmentValueNotPositive).message ==
        "Segments of Duration and Size require a value greater than 0.");
  CHECK(reply(Code::kCrontabInvalid).message == "Invalid CRONTAB expression given.");
  CHECK(reply(Code::kStreamUserNotCreated).message == "Stream User could not be created");
  CHECK(reply(Code::kStreamUserNotCreated, "x").message == "Stream User could not be created: x");
  // A ticket code keeps its ": detail" form.
  CHECK(reply(Code::kTicketNotFound, "x").message ==
        "ScaleEngine Virtual Usher Ticket not found: x");
}

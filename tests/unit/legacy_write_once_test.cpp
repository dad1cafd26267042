// The kept form of a write's reply: a repeat renders byte for byte like the
// first reply, and a reply too large to hold becomes a code 3 replay.
// (answer_once itself: legacy_api_test and legacy_sqlite_api_test.)
#include <doctest/doctest.h>

#include <string>

#include "legacy/wire/codes.hpp"
#include "legacy/wire/envelope.hpp"
#include "legacy/wire/write_once.hpp"

using namespace sevu;
using namespace sevu::legacy;

namespace {

SignedWrite a_write() {
  SignedWrite w;
  w.cdn_id = 158;
  w.signature = "c2lnbmF0dXJl";
  w.signed_at = 1700;
  w.expires = 2000;
  w.oldest_fresh = 1400;
  return w;
}

}  // namespace

TEST_CASE("a held reply renders exactly like the first one") {
  Reply first = reply(Code::kTicketGranted);
  first.payload = [](JsonWriter& w) {
    w.Key("ticket");
    w.StartObject();
    put(w, "key", "v.0123456789abcd.01234567");
    put(w, "quoted", "a \"b\" \\ / \t\n\x01 \xC3\xA9 \xF0\x9F\x8E\xA5");
    w.Key("n");
    w.Int64(-9007199254740993);
    w.Key("x");
    w.Double(0.1);
    w.Key("list");
    w.StartArray();
    w.Bool(true);
    w.Null();
    w.StartObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.Key("detail");
    w.String("second member");
  };
  WriteReply kept = held_reply(first, a_write());
  CHECK(kept.held);
  CHECK(kept.cdn_id == 158);
  CHECK(kept.signature == "c2lnbmF0dXJl");
  CHECK(kept.signed_at == 1700);
  CHECK(kept.expires == 2000);
  CHECK(kept.code == 2002);
  CHECK(render_envelope(repeated_reply(kept), 0.5) == render_envelope(first, 0.5));
  // The first answer's envelope copies the members written out for the row.
  Reply copied = first;
  copied.payload_text = render_payload(first);
  copied.payload = nullptr;
  CHECK(copied.payload_text == kept.payload);
  CHECK(render_envelope(copied, 0.5) == render_envelope(first, 0.5));
}

TEST_CASE("an envelope copies written-out members, none when there are none") {
  Reply none = reply(Code::kTicketRevoked);
  Reply copied = none;
  copied.payload_text = render_payload(none);
  CHECK(copied.payload_text == "{}");
  CHECK(render_envelope(copied, 0.25) == render_envelope(none, 0.25));
  CHECK(render_envelope(copied, 0.25).find(",,") == std::string::npos);
}

TEST_CASE("a reply without payload is held too") {
  Reply first = reply(Code::kRevokeNotFound);
  WriteReply kept = held_reply(first, a_write());
  CHECK(kept.payload == "{}");
  CHECK(render_envelope(repeated_reply(kept), 0) == render_envelope(first, 0));
}

TEST_CASE("a reply too large to hold leaves only the signature: its repeat is code 3") {
  Reply big = reply(Code::kTicketGranted);
  big.payload = [](JsonWriter& w) { put(w, "blob", std::string(kMaxHeldReplyBytes, 'x')); };
  WriteReply kept = held_reply(big, a_write());
  CHECK_FALSE(kept.held);
  CHECK(kept.payload.size() < 16);
  Reply repeat = repeated_reply(kept);
  CHECK(repeat.code == Code::kBadSignature);
  CHECK(repeat.message == kReplayMessage);
  CHECK_FALSE(repeat.payload);
}

TEST_CASE("a kept payload that is not a JSON object is a store error") {
  WriteReply kept = held_reply(reply(Code::kTicketRevoked), a_write());
  for (const char* bad : {"", "[]", "{\"a\":", "null"}) {
    kept.payload = bad;
    CHECK_THROWS_AS(repeated_reply(kept), StoreError);
  }
}

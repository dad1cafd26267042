#include "legacy/wire/write_once.hpp"

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <utility>

#include "core/json_util.hpp"
#include "legacy/wire/codes.hpp"

namespace sevu::legacy {

std::optional<Reply> held_answer(Store& store, const SignedWrite& write) {
  auto held = store.write_reply(write.cdn_id, write.signed_at, write.signature);
  if (!held) return std::nullopt;
  return repeated_reply(*held);
}

WriteReply held_reply(const Reply& r, const SignedWrite& write) {
  WriteReply row;
  row.cdn_id = write.cdn_id;
  row.signature = write.signature;
  row.signed_at = write.signed_at;
  row.expires = write.expires;
  row.code = static_cast<int64_t>(r.code);
  row.payload = render_payload(r);
  row.message = r.message;
  if (row.message.size() + row.payload.size() > kMaxHeldReplyBytes) {
    row.held = false;
    row.message.clear();
    row.payload = "{}";
  }
  return row;
}

Reply repeated_reply(const WriteReply& held) {
  if (!held.held) {
    Reply r = reply(Code::kBadSignature);
    r.message = std::string(kReplayMessage);
    return r;
  }
  auto members = std::make_shared<JsonDocument>();
  // Full precision, so that a number is written back exactly as it was read.
  members->Parse<rapidjson::kParseFullPrecisionFlag>(held.payload.data(), held.payload.size());
  if (members->HasParseError() || !members->IsObject()) {
    throw StoreError("the held reply to a repeated request is not a JSON object");
  }
  Reply r;
  r.code = static_cast<Code>(static_cast<int>(held.code));
  r.message = held.message;
  r.payload = [members](JsonWriter& w) {
    for (const auto& m : members->GetObject()) {
      w.Key(m.name.GetString(), m.name.GetStringLength());
      m.value.Accept(w);
    }
  };
  return r;
}

Reply answer_once(Store& store, const SignedWrite& write,
                  const std::function<Reply(Store&)>& execute) {
  if (auto repeat = held_answer(store, write)) return std::move(*repeat);
  Reply answer = execute(store);
  // Written out once, for the row kept and for the envelope of this answer.
  answer.payload_text = render_payload(answer);
  // Should another instance on a shared store have won a race the lock did
  // not prevent, this insert fails on the key and rolls the command back:
  // a write never runs twice.
  store.insert_write_reply(held_reply(answer, write));
  store.delete_write_replies_signed_before(write.oldest_fresh - kKeptPastWindow, kForgetPerWrite);
  return answer;
}

}  // namespace sevu::legacy

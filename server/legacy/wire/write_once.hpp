// A signed write command runs once. Its first reply is kept in the store until
// the request could no longer pass the timestamp check, and a repeat of the
// same signed request (a retry after a timeout, a script run twice) gets that
// reply back instead of running the command again (docs/legacy-api.md,
// "Timestamp and repeated requests").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "legacy/wire/envelope.hpp"
#include "core/records.hpp"
#include "store/store.hpp"

namespace sevu::legacy {

// One signed write request, as far as repeats are concerned.
struct SignedWrite {
  int64_t cdn_id = 0;
  std::string signature;
  int64_t signed_at = 0;  // its own timestamp, which a repeat carries unchanged
  int64_t expires = 0;    // signed_at + the window: the last second it is fresh
  // The oldest timestamp the window accepts now (wall clock - the window): a
  // repeat of a request signed before it is refused by its timestamp (code 2)
  // before any reply is looked for, so replies to such requests may go.
  int64_t oldest_fresh = 0;
};

// A reply longer than this (message and payload) is not held: only its
// signature is remembered, and a repeat is refused (code 3, replay message).
// No command's reply can reach it (the largest, a ticket whose four 4096-byte
// fields are all escaped control characters, stays under 100 KiB); it bounds
// what one row may cost.
constexpr std::size_t kMaxHeldReplyBytes = 256 * 1024;

// How long past the window a reply is still kept. A repeat checked against
// the window may reach its transaction later: behind a queue, a password
// hash, a batch run again after a deadlock; and with several instances it may
// be checked by one whose clock trails the one that purges. Both are far
// below a minute; the cost is a minute more of rows.
constexpr int64_t kKeptPastWindow = 60;

// Expired replies deleted per write: more than the one each write adds, so the
// table shrinks back after a burst while the work per request stays bounded.
constexpr int64_t kForgetPerWrite = 32;

// The held reply for `write` if the store has one.
std::optional<Reply> held_answer(Store& store, const SignedWrite& write);

// Inside a write transaction (the caller's, which holds the write lock): the
// held reply for `write` if an identical request ran meanwhile; otherwise runs
// `execute` and keeps its reply. The lookup, the command and the keeping share
// the transaction, so an identical request arriving meanwhile waits and then
// finds the reply. A command that throws keeps nothing (its transaction or
// savepoint rolls back, so it changed nothing) and a repeat runs it again.
Reply answer_once(Store& store, const SignedWrite& write,
                  const std::function<Reply(Store&)>& execute);

// The row kept for a reply, and the reply a repeat gets from it. Throws
// StoreError for a row whose payload is not a JSON object.
WriteReply held_reply(const Reply& r, const SignedWrite& write);
Reply repeated_reply(const WriteReply& held);

}  // namespace sevu::legacy

// legacy/commands/: the commands, grouped by what they act on. This header is
// what a command gets once the request has passed every global check
// (docs/legacy-api.md, check order), and the table of commands
// (command_table.cpp). tickets.cpp holds sevu.request/status/revoke;
// attempts.cpp (with attempt_filter) the attempt listing and count;
// stream_users/ the stream-user commands. Commands answer with wire/'s Reply
// and codes and may use store/, usher/, auth/ and core/; never legacy_api.hpp.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "legacy/commands/config.hpp"
#include "legacy/wire/envelope.hpp"
#include "legacy/wire/request_fields.hpp"
#include "core/records.hpp"
#include "store/store.hpp"

namespace sevu::legacy {

// What a command's prepare step computed from the request before any store
// transaction was open: work too slow to do while holding the write lock.
struct Prepared {
  std::optional<std::string> pass_hash;  // sevu.addstreamuser: the hash of a well-formed pass
};

struct CommandContext {
  const rapidjson::Value& request;  // the whole request object
  const Account& account;           // authenticated; every store call is scoped to it
  Store& store;
  const Clock& clock;  // ticket time is clock.now()
  const LegacyConfig& config;
  Prepared prepared;  // filled by the command's prepare step, if it has one
  // Where a write puts the viewing sessions it ended (sevu.revoke), handed on
  // once its transaction has committed; none: ended in the store all the same.
  std::vector<ViewingSession>* ended = nullptr;
};

using CommandHandler = Reply (*)(const CommandContext&);

// A write command's step that runs before its write transaction (and not at
// all for a repeat answered with its first reply), so that slow work such as a
// password hash never holds the store's write lock: every other write,
// playback starts included, would wait behind it. It sees only the request;
// the handler uses what it computed, and alone decides the reply.
using CommandPrepare = Prepared (*)(const rapidjson::Value& request);

// Whether a command only reads or changes state decides how a repeat of the
// same signed request is answered (docs/legacy-api.md): a read runs afresh, a
// write answers with the reply its first run got.
enum class Effect { kReads, kWrites };

struct CommandSpec {
  std::string_view name;
  Effect effect;
  std::vector<RequiredField> required;  // in documented order
  CommandHandler handler;
  CommandPrepare prepare = nullptr;  // none: the handler needs nothing done beforehand
  // Makes one ticket (sevu.request): a store may number it ahead of the
  // write's batch (Store::read_ahead).
  bool adds_ticket = false;
};

// nullptr for an unknown command.
const CommandSpec* find_command(std::string_view name);

// tickets.cpp
Reply ticket_request(const CommandContext& c);  // sevu.request
Reply ticket_status(const CommandContext& c);   // sevu.status
Reply ticket_revoke(const CommandContext& c);   // sevu.revoke
// attempts.cpp
Reply attempt_list(const CommandContext& c);   // sevu.attempts, sevu.errorlog
Reply attempt_count(const CommandContext& c);  // sevu.errorcount

}  // namespace sevu::legacy

// What a legacy command gets once the request has passed every global check
// (docs/legacy-api.md, check order), and the table of commands.
#pragma once

#include <rapidjson/document.h>

#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "legacy/envelope.hpp"
#include "legacy/legacy_api.hpp"
#include "store/records.hpp"
#include "store/store.hpp"

namespace sevu::legacy {

struct CommandContext {
  const rapidjson::Value& request;  // the whole request object
  const Account& account;           // authenticated; every store call is scoped to it
  Store& store;
  const Clock& clock;  // ticket time is clock.now()
  const LegacyConfig& config;
};

using CommandHandler = Reply (*)(const CommandContext&);

struct RequiredField {
  const char* name;             // as listed in a code 6 message
  const char* alias = nullptr;  // also satisfies the requirement (expire / expires)
};

// Whether a command only reads or changes state decides how a repeat of the
// same signed request is answered (docs/legacy-api.md): a read runs afresh, a
// write answers with the reply its first run got.
enum class Effect { kReads, kWrites };

struct CommandSpec {
  std::string_view name;
  Effect effect;
  std::vector<RequiredField> required;  // in documented order
  CommandHandler handler;
};

// nullptr for an unknown command.
const CommandSpec* find_command(std::string_view name);

// One file each.
Reply ticket_request(const CommandContext& c);  // sevu.request
Reply ticket_status(const CommandContext& c);   // sevu.status
Reply ticket_revoke(const CommandContext& c);   // sevu.revoke
Reply attempt_list(const CommandContext& c);    // sevu.attempts, sevu.errorlog
Reply attempt_count(const CommandContext& c);   // sevu.errorcount

}  // namespace sevu::legacy

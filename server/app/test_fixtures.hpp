// The rows of POST /test/fixtures (docs/operations.md, Staging controls):
// tickets and stream users with exactly the keys and values a test gives, the
// upstream example key included. Parsing only; the hook listener's test routes
// insert them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/records.hpp"

namespace sevu {

struct FixtureStreamUser {
  StreamUser row;                   // pass_hash empty: hashed when inserted
  std::optional<std::string> pass;  // as given (null: publishes freely, with a null user)
};

struct Fixtures {
  std::vector<Ticket> tickets;
  std::vector<FixtureStreamUser> stream_users;
};

// {"tickets": [...], "stream_users": [...]} (either may be absent). nullopt with
// `problem` naming the row and field ("tickets[2].uses: ...") when a row is bad.
// Dates are read as the APIs read them, relative ones against now.
std::optional<Fixtures> parse_fixtures(const rapidjson::Value& doc, int64_t now,
                                       std::string& problem);

}  // namespace sevu

// Identifiers and secrets, all drawn from the CSPRNG.
#pragma once

#include <string>
#include <string_view>

namespace sevu {

// "<prefix>.<14 lowercase hex>.<8 digits>"; prefix = video with every char outside
// [A-Za-z0-9_-] turned into '_', cut to 64 chars ("foo*" -> "foo_").
std::string make_ticket_key(std::string_view video);
std::string make_api_key();  // 32 chars [A-Z0-9]
std::string make_secret();   // 64 lowercase hex chars

}  // namespace sevu

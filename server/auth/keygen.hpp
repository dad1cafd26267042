// Identifiers and secrets, all drawn from the CSPRNG.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sevu {

// "<prefix>.<14 lowercase hex>.<8 digits>"; prefix = video with every char outside
// [A-Za-z0-9_-] turned into '_', cut to 64 chars ("foo*" -> "foo_"). The hex
// leads with the time of `now` (the wall clock when not given), so that keys
// made one after another sort one after another (keygen.cpp); the rest is
// drawn from the CSPRNG.
std::string make_ticket_key(std::string_view video);
std::string make_ticket_key(std::string_view video, std::chrono::system_clock::time_point now);
std::string make_api_key();  // 32 chars [A-Z0-9]
std::string make_secret();   // 64 lowercase hex chars

}  // namespace sevu

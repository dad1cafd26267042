// Which account an app name belongs to. Upstream names apps "<username>-<name>"
// (demo-origin); when an account with that username exists, the app is its own
// and no other account's tickets or stream users may open it. Apps outside any
// account's namespace stay open to every account, as the legacy API allows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace sevu::usher_service {

std::optional<int64_t> app_owner(Store& store, const std::string& app);

}  // namespace sevu::usher_service

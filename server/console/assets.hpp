// The console's pages (server/console/assets/), compiled into the binary by
// cmake/embed_assets.cmake: nothing is read from disk at run time.
#pragma once

#include <string_view>
#include <vector>

namespace sevu::console {

struct Asset {
  std::string_view name;  // the file name under assets/, e.g. "console.js"
  std::string_view bytes;
};

// Defined in the generated console_assets.cpp.
const std::vector<Asset>& embedded_assets();

}  // namespace sevu::console

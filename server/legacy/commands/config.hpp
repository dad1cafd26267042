// What the operator sets for the legacy API: the timestamp window legacy_api.cpp
// checks, and what the stream-user commands need for the URLs in their replies
// (docs/operations.md). Here, below legacy_api.hpp, so that commands read it
// without including the level above them.
#pragma once

#include <cstdint>
#include <string>

namespace sevu {

struct LegacyConfig {
  int64_t timestamp_window = 300;         // seconds either side of the wall clock
  std::string origin_host = "127.0.0.1";  // origin_url = rtmp://<origin_host>/<app>
  std::string playback_url_template;      // --playback-url; empty: kDefaultPlaybackTemplate
};

}  // namespace sevu

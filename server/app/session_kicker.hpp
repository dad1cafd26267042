// Ending a viewer at once where its media server has an API to drop a client
// (docs/hooks.md, "Ending a session at once"): when a session of SRS or
// MediaMTX ends (a bump, the v2 API), the kicker asks that server's HTTP API
// to drop the connection, instead of waiting for the viewer's next contact.
// Only sessions of a server whose API is configured (--srs-api,
// --mediamtx-api) are kicked. Bounded: each call has a timeout, at most
// max_in_flight sessions are being kicked at once (beyond: dropped and
// counted), and nothing here waits on the network.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_client.hpp"
#include "core/records.hpp"

namespace sevu {

// A media server's API address from --srs-api / --mediamtx-api.
struct MediaServerApi {
  std::string host;
  uint16_t port = 80;
  std::string base;           // path prefix without a trailing slash; usually empty
  std::string authorization;  // "Basic ..." from the URL's user:password; never logged
  std::string shown;          // the URL without its credentials, for log lines
};

// "http://[user:password@]host[:port][/prefix]"; throws UsageError naming option.
MediaServerApi parse_media_server_api(const std::string& option, const std::string& url);

struct KickerConfig {
  std::optional<MediaServerApi> srs, mediamtx;
  std::size_t max_in_flight = 64;
  std::chrono::milliseconds timeout{2000};
};

class SessionKicker {
 public:
  // server "srs" or "mediamtx"; result "kicked", "gone" (the API no longer
  // knows the client: it had left), "failed", "dropped" (too many in flight)
  // or "unnamed" (the session carries no id the API could name).
  using Counted = std::function<void(std::string_view server, std::string_view result)>;

  // client may be null when no API is configured.
  SessionKicker(KickerConfig config, HttpClient* client, Counted counted);

  // From any thread (a store worker, after the commit); returns at once.
  void kick(const std::vector<ViewingSession>& ended);

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the calls in flight
};

}  // namespace sevu

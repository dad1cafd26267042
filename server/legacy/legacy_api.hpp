// The legacy command API: POST /stable/ (docs/legacy-api.md).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "store/store.hpp"

namespace sevu {

struct LegacyConfig {
  int64_t timestamp_window = 300;         // seconds either side of the wall clock
  std::string origin_host = "127.0.0.1";  // origin_url = rtmp://<origin_host>/<app>
  std::string playback_url_template;      // --playback-url; empty: kDefaultPlaybackTemplate
};

class LegacyApi {
 public:
  // errors: where a code 4 (the store or the command failed) is counted and logged.
  LegacyApi(const Clock& clock, LegacyConfig config, ErrorSink& errors);

  // Runs on a store worker: body decoding, JSON parse, the check order of
  // docs/legacy-api.md, the command.
  // Always answers HTTP 200 with the JSON envelope, except 405 for a method other than POST.
  HttpResponse handle(const HttpRequest& req, Store& store);

  // Code 1000, for when the store pool refuses more work (load shedding).
  HttpResponse busy() const;

 private:
  const Clock& clock_;
  LegacyConfig config_;
  ErrorSink& errors_;
};

}  // namespace sevu

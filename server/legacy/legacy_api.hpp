// The legacy command API: POST /stable/ (docs/legacy-api.md). legacy/ has two
// layers under this entry point, which alone ties them together:
//   wire/      the protocol every command shares: transport (form, multipart or
//              raw body), request JSON and its fields, PHP's JSON encoding,
//              signature, repeats (write_once), the envelope and the one code
//              table. Uses core/, auth/ and store/ (repeats are kept there).
//   commands/  the commands, grouped by what they act on: tickets.cpp,
//              attempts.cpp, stream_users/. Use wire/, store/, usher/, auth/, core/.
// Neither includes this file; commands/ never reaches into legacy_api.cpp's checks.
#pragma once

#include "core/clock.hpp"
#include "core/error_sink.hpp"
#include "core/http_message.hpp"
#include "legacy/commands/config.hpp"
#include "store/store.hpp"

namespace sevu {

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

// The attempt log: every start and every publish leaves one row, granted or not,
// built here and nowhere else. What the rows hold comes from viewers (stream
// names, query values, page URLs): any bytes at all. Every listing (legacy
// sevu.attempts, /v2/sevu_attempt) must stay valid JSON, so text is stored as
// valid UTF-8 and of bounded size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/records.hpp"
#include "store/store.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::usher_service {

// Longest text kept per logged field (bytes, before repair); more is cut off.
inline constexpr std::size_t kMaxLoggedField = 4096;

// The row for one attempt, logged under account cdn_id (0: none) by `server`.
// A viewer's row carries the key and pass tried and the protocol as appinst; a
// publisher's carries no key and never the password, appinst "publish" and the
// stream as video. Every text field is repaired and bounded.
Attempt attempt_row(const UsherRequest& req, int64_t cdn_id, bool success,
                    const std::string& reason, int64_t now, const std::string& server);

// Stores attempt_row(...) in the caller's transaction, if any; its id is not
// needed, so the store may write it with others (Store::hold_attempt).
void log_attempt(Store& store, const UsherRequest& req, int64_t cdn_id, bool success,
                 const std::string& reason, int64_t now, const std::string& server);

// Applies the repair and bound to every text field of a row.
void make_loggable(Attempt& row);

}  // namespace sevu::usher_service

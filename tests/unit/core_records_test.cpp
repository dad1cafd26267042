// The id of a session kept in its start's attempt row (core/records.hpp).
#include "core/records.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace sevu;

TEST_CASE("a session kept in an attempt row: its id names the row, in one spelling") {
  CHECK(attempt_session_id(1) == "00000000000000000000000000000001");
  CHECK(attempt_session_id(0xab12) == "0000000000000000000000000000ab12");
  for (const int64_t n : {int64_t{0}, int64_t{1}, int64_t{0xab12}, int64_t{1} << 40,
                          std::numeric_limits<int64_t>::max()}) {
    CAPTURE(n);
    CHECK(attempt_of_session(attempt_session_id(n)) == n);
  }
  CHECK_FALSE(attempt_of_session("0000000000000000000000000000AB12"));  // upper case
  CHECK_FALSE(attempt_of_session("000000000000000000000000000ab12"));   // one digit short
  CHECK_FALSE(attempt_of_session("000000000000000000000000000000ab12"));  // two long
  CHECK_FALSE(attempt_of_session("1000000000000000000000000000ab12"));  // not 16 zeros first
  CHECK_FALSE(attempt_of_session("000000000000000080000000000000000"));  // over int64, too long
  CHECK_FALSE(attempt_of_session("00000000000000008000000000000000"));  // over int64
  CHECK_FALSE(attempt_of_session("000000000000000000000000000000g1"));  // not hex
  // A session named by a media server: a SHA-256 digest, never this form.
  CHECK_FALSE(attempt_of_session(std::string(64, '0')));
  CHECK_FALSE(attempt_of_session(""));
}

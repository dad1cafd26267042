#include <doctest/doctest.h>

#include <regex>
#include <stdexcept>
#include <string>

#include "auth/crypto.hpp"
#include "auth/password_hash.hpp"

using namespace sevu;

namespace {

constexpr int kFast = 1000;  // tests do not need the production cost

// Python: base64(hashlib.pbkdf2_hmac('sha256', b'correct horse', b'saltsaltsaltsalt', 1000, 32))
const std::string kKnown =
    "$pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$BBs+1+PaslLtBPULUr8/lQicvVuHiEPMz0i8MjLCbzM=";

}  // namespace

TEST_CASE("hash_password: format records the parameters") {
  const std::string stored = hash_password("secret", kFast);
  CAPTURE(stored);
  // 16-byte salt -> 24 base64 chars, 32-byte hash -> 44.
  CHECK(std::regex_match(
      stored, std::regex(R"(^\$pbkdf2-sha256\$1000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$)")));
  CHECK(hash_password("secret", 1).rfind("$pbkdf2-sha256$1$", 0) == 0);
  CHECK(hash_password("secret", 12345).rfind("$pbkdf2-sha256$12345$", 0) == 0);
}

TEST_CASE("hash_password: salted") {
  const std::string a = hash_password("secret", kFast);
  const std::string b = hash_password("secret", kFast);
  CHECK(a != b);
  CHECK(verify_password("secret", a));
  CHECK(verify_password("secret", b));
}

TEST_CASE("hash_password: default cost") {
  const std::string stored = hash_password("secret");
  CHECK(stored.rfind("$pbkdf2-sha256$" + std::to_string(kPasswordIterations) + "$", 0) == 0);
  CHECK(verify_password("secret", stored));
}

TEST_CASE("hash_password: out-of-range cost is refused") {
  CHECK_THROWS_AS(hash_password("x", 0), std::invalid_argument);
  CHECK_THROWS_AS(hash_password("x", -5), std::invalid_argument);
  CHECK_THROWS_AS(hash_password("x", 10000001), std::invalid_argument);
}

TEST_CASE("verify_password: right and wrong passwords") {
  for (const std::string& pw : {std::string("hunter2"), std::string(""), std::string(1000, 'p'),
                                std::string("p\0w", 3), std::string("p\xc3\xa4ss")}) {
    CAPTURE(pw);
    const std::string stored = hash_password(pw, kFast);
    CHECK(verify_password(pw, stored));
    CHECK_FALSE(verify_password(pw + "x", stored));
    CHECK_FALSE(verify_password("wrong", stored));
  }
  const std::string stored = hash_password("Secret", kFast);
  CHECK_FALSE(verify_password("secret", stored));
  CHECK_FALSE(verify_password("Secre", stored));
  CHECK_FALSE(verify_password(std::string("p", 1), hash_password(std::string("p\0w", 3), kFast)));
}

TEST_CASE("verify_password: known answer from an independent implementation") {
  CHECK(verify_password("correct horse", kKnown));
  CHECK_FALSE(verify_password("correct horsE", kKnown));
  // The recorded cost is what verify uses: another count gives another hash.
  std::string other = kKnown;
  other.replace(other.find("$1000$"), 6, "$1001$");
  CHECK_FALSE(verify_password("correct horse", other));
}

TEST_CASE("verify_password: malformed stored strings are false") {
  const std::string salt = "c2FsdHNhbHRzYWx0c2FsdA==";
  const std::string hash = "BBs+1+PaslLtBPULUr8/lQicvVuHiEPMz0i8MjLCbzM=";
  const std::string short_salt = base64_encode("1234567");  // 7 bytes
  const std::string short_hash = base64_encode(std::string(16, 'h'));
  const std::string long_hash = base64_encode(std::string(33, 'h'));
  for (const std::string& bad : {
           std::string(""),
           std::string("$"),
           std::string("$$$$"),
           std::string("plaintext"),
           "pbkdf2-sha256$1000$" + salt + "$" + hash,  // no leading '$'
           "$pbkdf2-sha1$1000$" + salt + "$" + hash,   // other scheme
           "$PBKDF2-SHA256$1000$" + salt + "$" + hash,
           "$pbkdf2-sha256$0$" + salt + "$" + hash,  // cost out of range
           "$pbkdf2-sha256$-1000$" + salt + "$" + hash,
           "$pbkdf2-sha256$+1000$" + salt + "$" + hash,
           "$pbkdf2-sha256$01000$" + salt + "$" + hash,
           "$pbkdf2-sha256$10000001$" + salt + "$" + hash,
           "$pbkdf2-sha256$99999999999999999999$" + salt + "$" + hash,
           "$pbkdf2-sha256$1e3$" + salt + "$" + hash,
           "$pbkdf2-sha256$$" + salt + "$" + hash,
           "$pbkdf2-sha256$1000$$" + hash,                    // empty salt
           "$pbkdf2-sha256$1000$" + salt + "$",               // empty hash
           "$pbkdf2-sha256$1000$" + salt,                     // missing field
           "$pbkdf2-sha256$1000$" + salt + "$" + hash + "$",  // extra field
           "$pbkdf2-sha256$1000$" + salt + "$" + hash + "$x",
           "$pbkdf2-sha256$1000$c2Fsd!NhbHRzYWx0c2FsdA==$" + hash,  // bad base64
           "$pbkdf2-sha256$1000$" + salt + "$" + hash.substr(1),
           "$pbkdf2-sha256$1000$" + salt + "$" + hash + " ",
           "$pbkdf2-sha256$1000$" + short_salt + "$" + hash,
           "$pbkdf2-sha256$1000$" + salt + "$" + short_hash,
           "$pbkdf2-sha256$1000$" + salt + "$" + long_hash,
       }) {
    CAPTURE(bad);
    CHECK_FALSE(verify_password("correct horse", bad));
  }
}

TEST_CASE("verify_password: a tampered hash or salt fails") {
  const std::string stored = hash_password("pw", kFast);
  const std::size_t hash_at = stored.rfind('$') + 1;
  std::string tampered = stored;
  tampered[hash_at] = tampered[hash_at] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_password("pw", tampered));
  const std::size_t salt_at = stored.rfind('$', hash_at - 2) + 1;
  tampered = stored;
  tampered[salt_at] = tampered[salt_at] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_password("pw", tampered));
}

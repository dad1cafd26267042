#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <string>
#include <thread>

#include "auth/crypto.hpp"

using namespace sevu;

namespace {

std::string repeat(char c, std::size_t n) {
  return std::string(n, c);
}

// Independent oracle for the encoder: OpenSSL's own base64 (no line breaks).
std::string openssl_base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TEST_CASE("hmac_sha256: RFC 4231 test vectors") {
  struct Vector {
    std::string key, data, hex;
  };
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  const Vector vectors[] = {
      {repeat('\x0b', 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {repeat('\xaa', 20), repeat('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, repeat('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {repeat('\xaa', 131),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.hex);
    const std::string mac = hmac_sha256(v.key, v.data);
    CHECK(mac.size() == 32);
    CHECK(hex_encode(mac) == v.hex);
  }
  // Test case 5 checks only the first 128 bits.
  CHECK(hex_encode(hmac_sha256(repeat('\x0c', 20), "Test With Truncation")).substr(0, 32) ==
        "a3b6167473100ee06e0c796c2955552b");
}

TEST_CASE("hmac_sha256: empty key and message, argument order") {
  CHECK(hex_encode(hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  CHECK(hmac_sha256("key", "message") != hmac_sha256("message", "key"));
}

// One context per thread serves every key: a call must not inherit the key of
// the call before it (an empty key included), nor a sha1 call the sha256
// digest, and each thread gets the same answers.
TEST_CASE("hmac: one context per thread, each call with its own key") {
  const std::string empty = hex_encode(hmac_sha256("", ""));
  CHECK(hex_encode(hmac_sha256("a longer key than the last", "")) != empty);
  CHECK(hex_encode(hmac_sha256("", "")) == empty);
  CHECK(hex_encode(hmac_sha1("", "")) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
  CHECK(hex_encode(hmac_sha256("", "")) == empty);
  std::string from_thread;
  std::thread([&] { from_thread = hex_encode(hmac_sha256("", "")); }).join();
  CHECK(from_thread == empty);
}

// The last key stays set in the thread's context: the same key again must
// give the MAC a fresh context gives, message after message, and a different
// key (a prefix of it, a longer one, then the first again) its own.
TEST_CASE("hmac: a key used again keeps giving RFC 4231's answers") {
  const std::string jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  const std::string hi = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  for (int i = 0; i < 3; ++i)
    CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
  CHECK(hex_encode(hmac_sha256("Jef", "what do ya want for nothing?")) != jefe);
  CHECK(hex_encode(hmac_sha256("Jefe!", "what do ya want for nothing?")) != jefe);
  CHECK(hex_encode(hmac_sha256(repeat('\x0b', 20), "Hi There")) == hi);
  CHECK(hex_encode(hmac_sha256(repeat('\x0b', 20), "Hi There")) == hi);
  CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
  CHECK(hex_encode(hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  CHECK(hex_encode(hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// FIPS 180-2 vectors. The digest's context is kept per thread: a call must not
// carry the bytes of the call before it, and another thread agrees.
TEST_CASE("sha256: FIPS 180-2 vectors, one context per thread") {
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  CHECK(hex_encode(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex_encode(sha256("abc")) == abc);
  CHECK(hex_encode(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex_encode(sha256(repeat('a', 1000000))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(hex_encode(sha256("abc")) == abc);
  std::string from_thread;
  std::thread([&] { from_thread = hex_encode(sha256("abc")); }).join();
  CHECK(from_thread == abc);
}

TEST_CASE("hmac_sha1: RFC 2202 test vectors") {
  CHECK(hex_encode(hmac_sha1(repeat('\x0b', 20), "Hi There")) ==
        "b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(hex_encode(hmac_sha1(repeat('\xaa', 20), repeat('\xdd', 50))) ==
        "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  CHECK(hex_encode(hmac_sha1(repeat('\xaa', 80),
                             "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST_CASE("base64url_encode: URL-safe alphabet, no padding") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode(std::string("\xfb\xff\xbf", 3)) == "-_-_");
  CHECK(base64url_encode(std::string("\xfb\xff", 2)) == "-_8");
  // An HMAC-SHA1 (20 bytes) is 27 characters: base64's 28 without the one '='.
  CHECK(base64url_encode(hmac_sha1("k", "m")).size() == 27);
}

TEST_CASE("base64_encode: RFC 4648 vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\xfb\xff\xbf", 3)) == "+/+/");  // standard, not URL, alphabet
}

TEST_CASE("base64_decode: RFC 4648 vectors") {
  CHECK(base64_decode("") == "");
  CHECK(base64_decode("Zg==") == "f");
  CHECK(base64_decode("Zm8=") == "fo");
  CHECK(base64_decode("Zm9v") == "foo");
  CHECK(base64_decode("Zm9vYg==") == "foob");
  CHECK(base64_decode("Zm9vYmE=") == "fooba");
  CHECK(base64_decode("Zm9vYmFy") == "foobar");
  CHECK(base64_decode("+/+/") == std::string("\xfb\xff\xbf", 3));
}

TEST_CASE("base64_decode: malformed input is rejected") {
  for (const char* bad :
       {"Zg",       "Zg=",      "Zg===",    "Z===",   "====",     "=Zg=",    "Zm9",   "Zm9vY",
        "Zg==Zg==", "Zm=v",     "Zm9vYg=a", "Zm9v\n", " Zm9v",    "Zm9v ",   "Zm 9v", "Zm-v",
        "Zm_v",     "Zm9v!A==", "Zh==",     "Zm9=",   "Zm9vYh==", "Zm9vYmF="}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad));
  }
  CHECK_FALSE(base64_decode(std::string("Zm9v\0\0\0\0", 8)));
  CHECK_FALSE(base64_decode(std::string("Zg=\0", 4)));
}

TEST_CASE("base64_decode: exactly the 64 letters of the alphabet are data") {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int c = 0; c < 256; ++c) {
    CAPTURE(c);
    const std::string quad(4, static_cast<char>(c));  // four of one letter: no unused bits
    const auto at = alphabet.find(static_cast<char>(c));
    if (at == std::string::npos) {
      CHECK_FALSE(base64_decode(quad));
    } else {
      const uint32_t v = static_cast<uint32_t>(at) * 0x41041;  // the six bits four times over
      CHECK(base64_decode(quad) == std::string{static_cast<char>(v >> 16),
                                               static_cast<char>((v >> 8) & 0xff),
                                               static_cast<char>(v & 0xff)});
    }
  }
}

TEST_CASE("base64: random round trips match OpenSSL") {
  std::mt19937 rng(4648);
  for (std::size_t len = 0; len < 200; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    const std::string text = base64_encode(bytes);
    REQUIRE(text == openssl_base64(bytes));
    REQUIRE(base64_decode(text) == bytes);
  }
}

TEST_CASE("constant_time_equal") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "xbc"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("ab", "abc"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal("a", ""));
  const std::string mac = hmac_sha256("k", "m");
  std::string flipped = mac;
  flipped[31] = static_cast<char>(flipped[31] ^ 1);
  CHECK(constant_time_equal(mac, hmac_sha256("k", "m")));
  CHECK_FALSE(constant_time_equal(mac, flipped));
}

TEST_CASE("hex_encode") {
  CHECK(hex_encode("") == "");
  CHECK(hex_encode(std::string("\x00\xff\x10\xab\x7f", 5)) == "00ff10ab7f");
  CHECK(hex_encode("Jefe") == "4a656665");
}

TEST_CASE("random_bytes") {
  CHECK(random_bytes(0).empty());
  CHECK(random_bytes(1).size() == 1);
  CHECK(random_bytes(1000).size() == 1000);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_bytes(16));
  CHECK(seen.size() == 100);
  // Every byte value is reachable (a stuck or masked generator would fail this).
  std::set<unsigned char> values;
  for (const char c : random_bytes(20000)) values.insert(static_cast<unsigned char>(c));
  CHECK(values.size() == 256);
  // Small draws share a reserve and large ones do not: neither repeats the other.
  std::set<std::string> mixed;
  for (int i = 0; i < 600; ++i) mixed.insert(random_bytes(i % 2 ? 8 : 300).substr(0, 8));
  CHECK(mixed.size() == 600);
}

// Small draws come from a per-thread reserve (crypto.cpp); a forked child
// starts with a copy of it, and must not hand out the bytes its parent will.
TEST_CASE("random_bytes: a forked child and its parent draw different bytes") {
  random_bytes(8);  // the reserve is full
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string drawn = random_bytes(16);
    const bool sent = write(pipe_fds[1], drawn.data(), drawn.size()) == 16;
    _exit(sent ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string from_child(16, '\0');
  const ssize_t got = read(pipe_fds[0], from_child.data(), from_child.size());
  close(pipe_fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(got == 16);
  CHECK(random_bytes(16) != from_child);
}

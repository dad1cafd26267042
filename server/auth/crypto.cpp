// OpenSSL-backed primitives. Base64 is hand-written so that decoding can be
// strict (OpenSSL's EVP decoder tolerates whitespace and line breaks).
#include "auth/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "core/text.hpp"

namespace sevu {

namespace {

// OpenSSL may reject a null pointer even with length 0; an empty view may have one.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each byte's value in kBase64Alphabet, or -1: one load per character. Range
// tests per character and a byte appended at a time made decoding a v2
// request's Basic credentials cost about 3,000 instructions
// (docs/performance.md, "Credentials decoded through a table").
struct Base64Values {
  int8_t of[256];
  constexpr Base64Values() : of() {
    for (int8_t& v : of) v = -1;
    for (int i = 0; i < 64; ++i)
      of[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  }
};
constexpr Base64Values kBase64Values;

int base64_value(char c) {
  return kBase64Values.of[static_cast<unsigned char>(c)];
}

}  // namespace

namespace {

// OpenSSL 3's one-shot HMAC() looks the MAC and the digest up by name in its
// provider tables on every call: 3-5 us a call here, against about 1 us for a
// context that is made once per thread and given each call's key (measured,
// docs/performance.md). A context is used by one thread at a time.
class HmacContext {
 public:
  explicit HmacContext(const char* digest) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ctx_ = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);  // the context holds its own reference
    // OpenSSL's parameter type wants a mutable string; it only reads it.
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    if (ctx_ && EVP_MAC_CTX_set_params(ctx_, params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~HmacContext() {
    EVP_MAC_CTX_free(ctx_);
    OPENSSL_cleanse(key_.data(), key_.size());
  }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;

  // Empty when OpenSSL fails; the caller throws.
  std::string mac(std::string_view key, std::string_view message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t out_len = 0;
    if (!ctx_ || !init(key) || EVP_MAC_update(ctx_, bytes_of(message), message.size()) != 1 ||
        EVP_MAC_final(ctx_, out, &out_len, sizeof out) != 1) {
      keyed_ = false;  // whatever state the failure left, the next call keys afresh
      return {};
    }
    return std::string(reinterpret_cast<const char*>(out), out_len);
  }

 private:
  // Keying pads the key and hashes both pads, and OpenSSL 3 reads its
  // parameters again: a third of a signed request's HMAC (callgrind,
  // docs/performance.md, "Signatures checked with a kept key"). A stream of
  // signed requests comes mostly from one account, so the last key stays set:
  // OpenSSL's HMAC, initialised without a key, starts again from the pads it
  // kept. The comparison is constant-time like every other one of a secret.
  bool init(std::string_view key) {
    if (keyed_ && constant_time_equal(key, key_))
      return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
    keyed_ = false;
    if (EVP_MAC_init(ctx_, bytes_of(key), key.size(), nullptr) != 1) return false;
    OPENSSL_cleanse(key_.data(), key_.size());
    key_.assign(key);
    keyed_ = true;
    return true;
  }

  EVP_MAC_CTX* ctx_ = nullptr;
  std::string key_;  // the key ctx_ holds, when keyed_
  bool keyed_ = false;
};

std::string hmac(HmacContext& context, const char* name, std::string_view key,
                 std::string_view message) {
  if (key.size() > INT_MAX) throw std::invalid_argument(std::string(name) + ": key too long");
  std::string out = context.mac(key, message);
  if (out.empty()) throw std::runtime_error(std::string(name) + ": OpenSSL HMAC failed");
  return out;
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  thread_local HmacContext context("SHA256");
  return hmac(context, "hmac_sha256", key, message);
}

std::string hmac_sha1(std::string_view key, std::string_view message) {
  thread_local HmacContext context("SHA1");
  return hmac(context, "hmac_sha1", key, message);
}

namespace {

// As with HMAC: EVP_Digest() with EVP_sha256() looks the digest up in the
// provider tables and makes a context on every call, a third of a 100-byte
// hash's cost (a viewing session's id on every named start, measured with
// callgrind, docs/performance.md). The digest is fetched once per thread and
// its context reused; a context is used by one thread at a time.
class DigestContext {
 public:
  explicit DigestContext(const char* name)
      : md_(EVP_MD_fetch(nullptr, name, nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~DigestContext() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;

  // Empty when OpenSSL fails; the caller throws.
  std::string digest(std::string_view bytes) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    if (!md_ || !ctx_ || EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(ctx_, bytes_of(bytes), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx_, out, &out_len) != 1) {
      return {};
    }
    return std::string(reinterpret_cast<const char*>(out), out_len);
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::string sha256(std::string_view bytes) {
  thread_local DigestContext context("SHA256");
  std::string out = context.digest(bytes);
  if (out.empty()) throw std::runtime_error("sha256: OpenSSL digest failed");
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

// Strict: length a multiple of 4, padding only at the end, no whitespace, and
// the unused bits before the padding must be zero (one canonical text per value).
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out(text.size() / 4 * 3 - pad, '\0');
  std::size_t n = 0;  // bytes of out written
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - pad : 4;
    uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k < data_chars) {
        d = base64_value(text[i + k]);
        if (d < 0) return std::nullopt;
      }  // padding positions were checked to be '=' when pad was counted
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out[n++] = static_cast<char>(v >> 16);
    if (data_chars >= 3) out[n++] = static_cast<char>((v >> 8) & 0xff);
    if (data_chars == 4) out[n++] = static_cast<char>(v & 0xff);
    if (data_chars == 3 && (v & 0xff) != 0) return std::nullopt;
    if (data_chars == 2 && (v & 0xffff) != 0) return std::nullopt;
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // On a length mismatch compare a with itself, so the work (and time) depends
  // only on a.size() and the contents of b are never looked at.
  const bool same_length = a.size() == b.size();
  const std::string_view other = same_length ? b : a;
  const int diff = CRYPTO_memcmp(bytes_of(a), bytes_of(other), a.size());
  return same_length & (diff == 0);
}

namespace {

void draw_random(unsigned char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
    if (RAND_bytes(out + done, static_cast<int>(chunk)) != 1) {
      throw std::runtime_error("random_bytes: OpenSSL RAND_bytes failed");
    }
    done += chunk;
  }
}

// OpenSSL 3's RAND_bytes costs 4-7 us a call here whatever its size (8 bytes
// or 4 KiB; measured, docs/performance.md), and the server draws a few bytes
// per grant (the session id) and per new ticket (its key). So small draws
// come from a per-thread reserve of the generator's output, filled 4 KiB at a
// time; every byte handed out is wiped from the reserve. A forked child
// starts with a copy of its parent's reserve, so a fork empties it: the two
// processes never hand out the same bytes.
constexpr std::size_t kReserveBytes = 4096;
constexpr std::size_t kLargestFromReserve = 256;

std::atomic<unsigned> g_forks{0};

struct RandomReserve {
  unsigned char bytes[kReserveBytes];
  std::size_t left = 0;  // the unused bytes are the last `left` of `bytes`
  unsigned forks = 0;
  ~RandomReserve() { OPENSSL_cleanse(bytes, sizeof bytes); }
};

void draw_from_reserve(unsigned char* out, std::size_t n) {
  static const int counting_forks = pthread_atfork(nullptr, nullptr, [] { g_forks.fetch_add(1); });
  (void)counting_forks;
  thread_local RandomReserve reserve;
  const unsigned forks = g_forks.load(std::memory_order_relaxed);
  if (reserve.forks != forks) {
    OPENSSL_cleanse(reserve.bytes, sizeof reserve.bytes);
    reserve.left = 0;
    reserve.forks = forks;
  }
  if (reserve.left < n) {
    draw_random(reserve.bytes, sizeof reserve.bytes);
    reserve.left = sizeof reserve.bytes;
  }
  unsigned char* from = reserve.bytes + (sizeof reserve.bytes - reserve.left);
  std::memcpy(out, from, n);
  OPENSSL_cleanse(from, n);
  reserve.left -= n;
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (n <= kLargestFromReserve) {
    draw_from_reserve(bytes, n);
  } else {
    draw_random(bytes, n);
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = hex_digit(b >> 4);
    out[2 * i + 1] = hex_digit(b);
  }
  return out;
}

}  // namespace sevu

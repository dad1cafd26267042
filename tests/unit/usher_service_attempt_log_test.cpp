// The attempt log (usher_service/attempt_log.hpp): one row builder, and
// viewer-supplied text logged as valid, bounded UTF-8.
#include <doctest/doctest.h>

#include <string>

#include "core/utf8.hpp"
#include "usher_service/attempt_log.hpp"

using sevu::UsherAction;
using sevu::UsherRequest;
using sevu::usher_service::attempt_row;

namespace {

// What every logged field goes through.
std::string loggable(std::string_view s,
                     std::size_t max_bytes = sevu::usher_service::kMaxLoggedField) {
  return sevu::to_valid_utf8(s, max_bytes);
}

// Strict UTF-8 check, written independently of the code under test.
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      n = 1, cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("valid text passes unchanged") {
  for (const std::string s : {"", "mystream", "sestore3/demo/a.mp4", "caf\xC3\xA9",
                              "\xE2\x82\xAC 1", "\xF0\x9F\x8E\xA5 live", "\x7F"}) {
    CHECK(loggable(s) == s);
  }
}

TEST_CASE("every invalid byte becomes one U+FFFD") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(loggable("\xFF") == fffd);
  CHECK(loggable("a\xFF\xFE"
                 "b") == "a" + fffd + fffd + "b");
  CHECK(loggable("\xC3") == fffd);                                   // truncated
  CHECK(loggable("\xC0\xAF") == fffd + fffd);                        // overlong '/'
  CHECK(loggable("\xE0\x80\xAF") == fffd + fffd + fffd);             // overlong
  CHECK(loggable("\xED\xA0\x80") == fffd + fffd + fffd);             // surrogate
  CHECK(loggable("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // > U+10FFFF
  CHECK(loggable("\x80"
                 "abc") == fffd + "abc");  // stray continuation
}

TEST_CASE("text is cut to the limit and stays valid when the cut splits a character") {
  CHECK(loggable(std::string(10000, 'x')).size() == sevu::usher_service::kMaxLoggedField);
  CHECK(loggable("ab\xC3\xA9", 3) == "ab\xEF\xBF\xBD");
  CHECK(loggable("abcdef", 2) == "ab");
}

TEST_CASE("property: any bytes come out as valid UTF-8, and valid input is kept") {
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<unsigned char>(seed >> 16);
  };
  for (int round = 0; round < 20000; ++round) {
    std::string s(static_cast<size_t>(next() % 12), '\0');
    for (char& c : s) c = static_cast<char>(next());
    const std::string out = loggable(s);
    REQUIRE(valid_utf8(out));
    if (valid_utf8(s)) REQUIRE(out == s);
  }
}

TEST_CASE("make_loggable repairs every text field of an attempt row") {
  sevu::Attempt row;
  row.key = "k\xFF";
  row.pass = "p\xFF";
  row.ip = "i\xFF";
  row.video = "v\xFF";
  row.app = "a\xFF";
  row.appinst = "n\xFF";
  row.pageurl = "u\xFF";
  row.refurl = "r\xFF";
  row.reason = "Success";
  row.server = "s\xFF";
  sevu::usher_service::make_loggable(row);
  for (const std::string* f : {&row.key, &row.pass, &row.ip, &row.video, &row.app, &row.appinst,
                               &row.pageurl, &row.refurl, &row.server}) {
    CHECK(f->substr(1) == "\xEF\xBF\xBD");
  }
  CHECK(row.reason == "Success");
}

TEST_CASE("a viewer's row carries the key, pass and protocol; a publisher's never its password") {
  UsherRequest req;
  req.action = UsherAction::kStart;
  req.credentials = {std::string("k.1"), std::string("enc"), std::string("pw")};
  req.client_ip = "10.0.0.1";
  req.app = "demo-origin";
  req.video = "cam";
  req.protocol = "read";
  req.pageurl = "http://p/\xFF";
  req.refurl = "http://r/";
  sevu::Attempt viewer = attempt_row(req, 158, true, "Success", 1000, "edge");
  CHECK(viewer.cdn_id == 158);
  CHECK(viewer.datetime == 1000);
  CHECK(viewer.key == "k.1");
  CHECK(viewer.pass == "pw");
  CHECK(viewer.appinst == "read");
  CHECK(viewer.ip == "10.0.0.1");
  CHECK(viewer.app == "demo-origin");
  CHECK(viewer.video == "cam");
  CHECK(viewer.pageurl == "http://p/\xEF\xBF\xBD");
  CHECK(viewer.refurl == "http://r/");
  CHECK(viewer.success);
  CHECK(viewer.reason == "Success");
  CHECK(viewer.server == "edge");

  for (auto action : {UsherAction::kPublish, UsherAction::kRecheckPublish}) {
    req.action = action;
    sevu::Attempt publisher = attempt_row(req, 0, false, "Publish Denied: bad credentials", 1, "e");
    CHECK(publisher.key.empty());
    CHECK(publisher.pass.empty());
    CHECK(publisher.appinst == "publish");
    CHECK(publisher.video == "cam");
    CHECK_FALSE(publisher.success);
  }
}

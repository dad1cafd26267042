// Ticket ip lists (docs/legacy-api.md, ip rules): any, single addresses, CIDR (v4 and v6), auto
// slots, and ::ffff:a.b.c.d counting as IPv4.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "usher/ip_rules.hpp"

using sevu::usher::check_ip;
using sevu::usher::IpAddress;
using sevu::usher::IpCheck;
using sevu::usher::parse_ip;

namespace {

bool allows(const std::string& list, const std::string& client) {
  return check_ip(list, client).allowed;
}

std::string v4_text(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
         std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

std::string v6_text(const std::array<uint8_t, 16>& b) {
  char buffer[INET6_ADDRSTRLEN] = {};
  REQUIRE(inet_ntop(AF_INET6, b.data(), buffer, sizeof buffer) != nullptr);
  return buffer;
}

// The plain-integer reference for IPv4 CIDR membership.
bool v4_reference(uint32_t client, uint32_t base, int prefix) {
  if (prefix == 0) return true;
  const uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
  return (client & mask) == (base & mask);
}

// The byte-by-byte reference for IPv6 CIDR membership.
bool v6_reference(const std::array<uint8_t, 16>& client, const std::array<uint8_t, 16>& base,
                  int prefix) {
  const int whole = prefix / 8;
  for (int i = 0; i < whole; ++i) {
    if (client[i] != base[i]) return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (client[whole] & mask) == (base[whole] & mask);
}

bool is_v4_mapped(const std::array<uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

}  // namespace

TEST_CASE("parse_ip: strict dotted quads") {
  const auto a = parse_ip("192.168.1.20");
  REQUIRE(a);
  CHECK(a->v4);
  CHECK(a->bytes[0] == 192);
  CHECK(a->bytes[1] == 168);
  CHECK(a->bytes[2] == 1);
  CHECK(a->bytes[3] == 20);
  CHECK(a->to_string() == "192.168.1.20");
  CHECK(parse_ip("0.0.0.0"));
  CHECK(parse_ip("255.255.255.255"));
  for (const char* bad :
       {"256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "01.2.3.4",
        "1.2.3.00", "+1.2.3.4", "-1.2.3.4", "", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/24",
        "1234.1.1.1", "0x1.2.3.4", "4294967295"}) {
    INFO(bad);
    CHECK_FALSE(parse_ip(bad));
  }
  CHECK_FALSE(parse_ip(std::string("1.2.3.4\0", 8)));
}

TEST_CASE("parse_ip: IPv6, and mapped IPv4 unmapped") {
  const auto a = parse_ip("2001:DB8::0001");
  REQUIRE(a);
  CHECK_FALSE(a->v4);
  CHECK(a->to_string() == "2001:db8::1");
  CHECK(parse_ip("::")->to_string() == "::");
  CHECK(parse_ip("::1")->to_string() == "::1");

  for (const char* mapped :
       {"::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:102:304", "0:0:0:0:0:ffff:1.2.3.4"}) {
    INFO(mapped);
    const auto m = parse_ip(mapped);
    REQUIRE(m);
    CHECK(m->v4);
    CHECK(m->to_string() == "1.2.3.4");
  }
  // Only ::ffff:0:0/96 is IPv4; the old "IPv4-compatible" form stays IPv6.
  for (const char* not_mapped : {"::1.2.3.4", "::ff:102:304", "::ff00:102:304", "::fffe:102:304",
                                 "1::ffff:102:304", "100::ffff:102:304", "::1:ffff:102:304"}) {
    INFO(not_mapped);
    const auto a6 = parse_ip(not_mapped);
    REQUIRE(a6);
    CHECK_FALSE(a6->v4);
  }

  for (const char* bad : {":::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "[::1]", "2001:db8::g",
                          "::ffff:1.2.3.256", "::ffff:01.2.3.4", "2001:db8::/32", ":"}) {
    INFO(bad);
    CHECK_FALSE(parse_ip(bad));
  }
  CHECK_FALSE(parse_ip(std::string("::1\0:5", 6)));
  CHECK_FALSE(parse_ip(std::string(5000, ':')));
}

TEST_CASE("empty entries inside a list admit nobody: only the whole field empty is any") {
  for (const char* list : {"1.2.3.4|", "|1.2.3.4", "1.2.3.4| |5.6.7.8", "|", " | ", "||"}) {
    INFO(list);
    for (const char* client : {"9.9.9.9", "2001:db8::1", "not-an-address"}) {
      INFO(client);
      const IpCheck c = check_ip(list, client);
      CHECK_FALSE(c.allowed);
      CHECK(c.ip_after == list);
    }
  }
  CHECK(allows("1.2.3.4|", "1.2.3.4"));  // the real entry still matches
}

TEST_CASE("any: empty field, /0 in either family") {
  for (const char* any : {"", "0.0.0.0/0", "::/0", "10.9.8.7/0", "2001:db8::/0", "  ",
                          "1.2.3.4|0.0.0.0/0"}) {
    INFO(any);
    for (const char* client : {"1.2.3.4", "9.9.9.9", "2001:db8::1", "::ffff:7.7.7.7", "::"}) {
      INFO(client);
      const IpCheck c = check_ip(any, client);
      CHECK(c.allowed);
      CHECK(c.ip_after == any);
    }
  }
  // An unrestricted ticket does not care what the client address looks like.
  CHECK(allows("", "not-an-address"));
  CHECK(allows("0.0.0.0/0", ""));
}

TEST_CASE("single addresses") {
  CHECK(allows("1.2.3.4", "1.2.3.4"));
  CHECK_FALSE(allows("1.2.3.4", "1.2.3.5"));
  CHECK_FALSE(allows("1.2.3.4", "4.3.2.1"));
  CHECK(allows("1.2.3.4|5.6.7.8", "5.6.7.8"));
  CHECK_FALSE(allows("1.2.3.4|5.6.7.8", "5.6.7.9"));
  CHECK(allows("2001:db8::1", "2001:DB8:0:0:0:0:0:1"));
  CHECK_FALSE(allows("2001:db8::1", "2001:db8::2"));
  CHECK_FALSE(allows("1.2.3.4", "garbage"));
  CHECK_FALSE(allows("1.2.3.4", ""));
}

TEST_CASE("IPv4-mapped clients and entries count as IPv4") {
  CHECK(allows("1.2.3.4", "::ffff:1.2.3.4"));
  CHECK(allows("1.2.3.0/24", "::ffff:1.2.3.99"));
  CHECK_FALSE(allows("1.2.3.0/24", "::ffff:1.2.4.1"));
  CHECK(allows("::ffff:1.2.3.4", "1.2.3.4"));
  CHECK(allows("::ffff:1.2.3.4", "::FFFF:102:304"));
  CHECK_FALSE(allows("::ffff:1.2.3.4", "1.2.3.5"));
  // A mapped CIDR is an IPv4 range: /8 counts IPv4 bits, and its IPv6 spelling /104 is
  // the same /8. Read as IPv6, /8 would be ::/8, admitting every IPv4 address.
  CHECK(allows("::ffff:10.0.0.0/8", "10.200.3.4"));
  CHECK_FALSE(allows("::ffff:10.0.0.0/8", "11.1.1.1"));
  CHECK_FALSE(allows("::ffff:10.0.0.0/8", "::1"));
  CHECK(allows("::ffff:10.0.0.0/104", "10.200.3.4"));
  CHECK_FALSE(allows("::ffff:10.0.0.0/104", "11.0.0.1"));
  CHECK(allows("::ffff:0.0.0.0/96", "203.0.113.9"));
  CHECK_FALSE(allows("::ffff:0.0.0.0/96", "2001:db8::1"));
  CHECK(allows("::ffff:0.0.0.0/0", "2001:db8::1"));  // as 0.0.0.0/0: every address
  // The deprecated ::a.b.c.d form is an IPv6 address, not 1.2.3.4.
  CHECK_FALSE(allows("1.2.3.4", "::1.2.3.4"));
  // Families do not mix otherwise.
  CHECK_FALSE(allows("1.2.3.4", "2001:db8::1"));
  CHECK_FALSE(allows("2001:db8::/32", "1.2.3.4"));
}

TEST_CASE("IPv4 CIDR edges") {
  CHECK(allows("10.0.0.0/8", "10.255.255.255"));
  CHECK_FALSE(allows("10.0.0.0/8", "11.0.0.0"));
  CHECK(allows("1.2.3.4/32", "1.2.3.4"));
  CHECK_FALSE(allows("1.2.3.4/32", "1.2.3.5"));
  CHECK(allows("1.2.3.4/31", "1.2.3.5"));
  CHECK_FALSE(allows("1.2.3.4/31", "1.2.3.6"));
  CHECK(allows("128.0.0.0/1", "200.1.1.1"));
  CHECK_FALSE(allows("128.0.0.0/1", "127.255.255.255"));
  // Host bits in the base are ignored.
  CHECK(allows("10.1.2.3/8", "10.200.0.1"));
  CHECK(allows("1.2.3.4/24", "1.2.3.250"));
  CHECK_FALSE(allows("1.2.3.4/24", "1.2.4.4"));
}

TEST_CASE("IPv6 CIDR edges") {
  CHECK(allows("2001:db8::/32", "2001:db8:ffff:ffff::1"));
  CHECK_FALSE(allows("2001:db8::/32", "2001:db9::1"));
  CHECK(allows("2001:db8::1/128", "2001:db8::1"));
  CHECK_FALSE(allows("2001:db8::1/128", "2001:db8::2"));
  CHECK(allows("2001:db8::1/32", "2001:db8:1::"));  // host bits ignored
  CHECK(allows("2001:db8::/33", "2001:db8:7fff::1"));
  CHECK_FALSE(allows("2001:db8::/33", "2001:db8:8000::1"));
  CHECK(allows("8000::/1", "ffff::1"));
  CHECK_FALSE(allows("8000::/1", "7fff::1"));
}

TEST_CASE("garbage entries never match and never crash") {
  for (const char* bad : {"garbage",
                          "1.2.3.4/33",
                          "2001:db8::/129",
                          "1.2.3.4/",
                          "1.2.3.4/-1",
                          "1.2.3.4/+8",
                          "1.2.3.4/08",
                          "1.2.3.4/8/8",
                          "/24",
                          "1.2.3.4/a",
                          "auto/33",
                          "auto/0",
                          "auto/",
                          "auto/x",
                          "AUTO",
                          "auto/-1",
                          "auto/024",
                          "autox",
                          "auto /24",
                          "1.2.3.4/99999999999999999999",
                          "::/1289",
                          "300.1.1.1/8",
                          "1.2.3.4 5"}) {
    INFO(bad);
    for (const char* client : {"1.2.3.4", "2001:db8::1", "0.0.0.0"}) {
      const IpCheck c = check_ip(bad, client);
      CHECK_FALSE(c.allowed);
      CHECK(c.ip_after == bad);
    }
  }
  // A broken entry does not spoil the good ones around it.
  CHECK(allows("garbage|1.2.3.4", "1.2.3.4"));
  CHECK(allows("1.2.3.4/33|auto/99|5.6.7.0/24", "5.6.7.8"));
}

TEST_CASE("whitespace around entries and the client is trimmed") {
  CHECK(allows(" 1.2.3.4 | 5.6.7.8 ", "5.6.7.8"));
  CHECK(allows("\t10.0.0.0/8\t", "10.1.1.1"));
  CHECK(allows("1.2.3.4", " 1.2.3.4 "));
  CHECK_FALSE(allows("1.2.3 .4", "1.2.3.4"));
}

TEST_CASE("auto binds the first client's exact address") {
  IpCheck first = check_ip("auto", "1.2.3.4");
  CHECK(first.allowed);
  CHECK(first.ip_after == "1.2.3.4");
  IpCheck other = check_ip(first.ip_after, "1.2.3.5");
  CHECK_FALSE(other.allowed);
  CHECK(other.ip_after == "1.2.3.4");
  IpCheck again = check_ip(first.ip_after, "1.2.3.4");
  CHECK(again.allowed);
  CHECK(again.ip_after == "1.2.3.4");

  CHECK(check_ip("auto", "2001:DB8::0001").ip_after == "2001:db8::1");
  CHECK(check_ip("auto", "::ffff:1.2.3.4").ip_after == "1.2.3.4");
  CHECK(check_ip(" auto ", "1.2.3.4").ip_after == "1.2.3.4");
}

TEST_CASE("auto never binds an unusable client address") {
  for (const char* client : {"", "garbage", "1.2.3", "::g"}) {
    INFO(client);
    const IpCheck c = check_ip("auto|auto/24", client);
    CHECK_FALSE(c.allowed);
    CHECK(c.ip_after == "auto|auto/24");
  }
}

TEST_CASE("auto/N binds the client's IPv4 network") {
  IpCheck first = check_ip("auto/24", "1.2.3.4");
  CHECK(first.allowed);
  CHECK(first.ip_after == "1.2.3.0/24");
  CHECK(check_ip(first.ip_after, "1.2.3.200").allowed);
  CHECK(check_ip(first.ip_after, "1.2.3.200").ip_after == "1.2.3.0/24");
  CHECK_FALSE(check_ip(first.ip_after, "1.2.4.1").allowed);

  CHECK(check_ip("auto/8", "10.20.30.40").ip_after == "10.0.0.0/8");
  CHECK(check_ip("auto/32", "10.20.30.40").ip_after == "10.20.30.40/32");
  CHECK(check_ip("auto/31", "10.20.30.41").ip_after == "10.20.30.40/31");
  CHECK(check_ip("auto/16", "::ffff:10.20.30.40").ip_after == "10.20.0.0/16");
  // auto/0 would bind the whole IPv4 space: invalid, so it never binds.
  CHECK_FALSE(check_ip("auto/0", "10.20.30.40").allowed);
  CHECK(check_ip("auto/0", "10.20.30.40").ip_after == "auto/0");
}

TEST_CASE("an IPv6 client on auto or auto/N") {
  IpCheck first = check_ip("auto/24", "2001:db8:1:2:3:4:5:6");
  CHECK(first.allowed);
  CHECK(first.ip_after == "2001:db8:1:2::/64");
  CHECK(check_ip(first.ip_after, "2001:db8:1:2:ffff::1").allowed);
  CHECK_FALSE(check_ip(first.ip_after, "2001:db8:1:3::1").allowed);
  CHECK_FALSE(check_ip(first.ip_after, "1.2.3.4").allowed);
  CHECK(check_ip("auto/32", "2001:db8::1").ip_after == "2001:db8::/64");
  CHECK_FALSE(check_ip("auto/0", "2001:db8::1").allowed);
}

TEST_CASE("auto/24|auto/24 admits at most two /24s") {
  const std::string start = "auto/24|auto/24";
  IpCheck a = check_ip(start, "1.2.3.4");
  CHECK(a.allowed);
  CHECK(a.ip_after == "1.2.3.0/24|auto/24");

  IpCheck a_again = check_ip(a.ip_after, "1.2.3.9");  // same /24: consumes nothing
  CHECK(a_again.allowed);
  CHECK(a_again.ip_after == "1.2.3.0/24|auto/24");

  IpCheck b = check_ip(a_again.ip_after, "5.6.7.8");
  CHECK(b.allowed);
  CHECK(b.ip_after == "1.2.3.0/24|5.6.7.0/24");

  IpCheck c = check_ip(b.ip_after, "9.9.9.9");
  CHECK_FALSE(c.allowed);
  CHECK(c.ip_after == "1.2.3.0/24|5.6.7.0/24");

  CHECK(check_ip(b.ip_after, "1.2.3.77").allowed);
  CHECK(check_ip(b.ip_after, "5.6.7.77").allowed);
}

TEST_CASE("existing entries win over binding, and binding keeps order in place") {
  IpCheck inside = check_ip("auto|10.0.0.0/8", "10.1.1.1");
  CHECK(inside.allowed);
  CHECK(inside.ip_after == "auto|10.0.0.0/8");  // the slot stays free

  IpCheck x = check_ip("10.0.0.0/8|auto|auto/16", "1.2.3.4");
  CHECK(x.ip_after == "10.0.0.0/8|1.2.3.4|auto/16");
  IpCheck y = check_ip(x.ip_after, "1.2.9.9");
  CHECK(y.ip_after == "10.0.0.0/8|1.2.3.4|1.2.0.0/16");
  IpCheck z = check_ip(y.ip_after, "10.5.5.5");
  CHECK(z.allowed);
  CHECK(z.ip_after == y.ip_after);
  CHECK_FALSE(check_ip(y.ip_after, "8.8.8.8").allowed);

  // Invalid slots are skipped; only the bound entry's text changes.
  CHECK(check_ip("auto/33|auto", "1.2.3.4").ip_after == "auto/33|1.2.3.4");
  CHECK(check_ip("10.0.0.1 | auto ", "1.2.3.4").ip_after == "10.0.0.1 |1.2.3.4");
  CHECK(check_ip("1.1.1.1|auto/24|9.9.9.9", "2.2.2.2").ip_after == "1.1.1.1|2.2.2.0/24|9.9.9.9");
}

TEST_CASE("random IPv4 CIDRs agree with the uint32 reference") {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> prefix_dist(0, 32);
  int hits = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint32_t base = rng();
    const int prefix = prefix_dist(rng);
    // Flip a random run of low bits so clients often land inside the network.
    const uint32_t shift = rng() % 32;
    const uint32_t client = base ^ (static_cast<uint32_t>(rng()) >> shift);
    const bool expected = v4_reference(client, base, prefix);
    hits += expected ? 1 : 0;
    const std::string entry = v4_text(base) + "/" + std::to_string(prefix);
    const std::string client_text = i % 3 == 0 ? "::ffff:" + v4_text(client) : v4_text(client);
    INFO(entry << " vs " << client_text);
    REQUIRE(allows(entry, client_text) == expected);
    REQUIRE(allows(v4_text(base), client_text) == (client == base));
  }
  CHECK(hits > 2000);
  CHECK(hits < 18000);
}

TEST_CASE("random IPv6 CIDRs agree with the byte-wise reference") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> prefix_dist(0, 128);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  std::uniform_int_distribution<int> position_dist(0, 16);
  int hits = 0;
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, 16> base{};
    for (auto& b : base) b = static_cast<uint8_t>(byte_dist(rng));
    if (i % 5 == 0) {
      // Runs of zeros exercise "::" compression in the text form.
      const int zeros = position_dist(rng) % 12;
      for (int k = 2; k < 2 + zeros; ++k) base[k] = 0;
    }
    if (is_v4_mapped(base)) continue;
    const int prefix = prefix_dist(rng);
    // Keep a random number of leading bytes, then perturb the rest.
    std::array<uint8_t, 16> client = base;
    for (int k = position_dist(rng); k < 16; ++k) {
      client[k] = static_cast<uint8_t>(client[k] ^ byte_dist(rng));
    }
    if (is_v4_mapped(client)) continue;
    const bool expected = v6_reference(client, base, prefix);
    hits += expected ? 1 : 0;
    const std::string entry = v6_text(base) + "/" + std::to_string(prefix);
    const std::string client_text = v6_text(client);
    INFO(entry << " vs " << client_text);
    REQUIRE(allows(entry, client_text) == expected);
    REQUIRE(allows(v6_text(base), client_text) == (client == base));
    // The text form round-trips through parse_ip.
    const auto parsed = parse_ip(client_text);
    REQUIRE(parsed);
    REQUIRE(parsed->bytes == client);
  }
  CHECK(hits > 2000);
  CHECK(hits < 18000);
}

TEST_CASE("random auto/N bindings produce the client's network") {
  std::mt19937 rng(99);
  for (int i = 0; i < 5000; ++i) {
    const uint32_t client = rng();
    const int n = 1 + static_cast<int>(rng() % 32);
    const IpCheck c = check_ip("auto/" + std::to_string(n), v4_text(client));
    REQUIRE(c.allowed);
    const uint32_t mask = 0xffffffffu << (32 - n);
    REQUIRE(c.ip_after == v4_text(client & mask) + "/" + std::to_string(n));
    const uint32_t neighbour = client ^ (1u << (rng() % 32));
    REQUIRE(allows(c.ip_after, v4_text(neighbour)) == v4_reference(neighbour, client, n));
  }
}

TEST_CASE("ip_list_problem: every documented form is valid") {
  for (const char* ok :
       {"", "  ", "0.0.0.0/0", "::/0", "1.2.3.4", "2001:db8::1", "::ffff:1.2.3.4", "10.0.0.0/8",
        "10.0.0.0/32", "1.2.3.4/0", "2001:db8::/32", "2001:db8::/128", "::ffff:10.0.0.0/104",
        "auto", "auto/1", "auto/24", "auto/32", "auto/24|auto/24", " 1.2.3.4 | auto/16 ",
        "1.2.3.4|5.6.7.0/24|2001:db8::/48|auto"}) {
    INFO(ok);
    CHECK_FALSE(sevu::usher::ip_list_problem(ok));
  }
}

TEST_CASE("ip_list_problem: each invalid entry is named by position with the reason") {
  struct Case {
    const char* list;
    const char* problem;
  };
  for (const Case& c : {
           Case{"auto/33", "ip entry 1 is invalid: auto/N needs N from 1 to 32"},
           Case{"::ffff:10.0.0.0/33",
                "ip entry 1 is invalid: an IPv4 address written ::ffff:a.b.c.d takes a prefix "
                "length from 0 to 32 (or 96 to 128)"},
           Case{"::ffff:10.0.0.0/95",
                "ip entry 1 is invalid: an IPv4 address written ::ffff:a.b.c.d takes a prefix "
                "length from 0 to 32 (or 96 to 128)"},
           Case{"auto/0", "ip entry 1 is invalid: auto/N needs N from 1 to 32"},
           Case{"auto/x", "ip entry 1 is invalid: auto/N needs N from 1 to 32"},
           Case{"0.0.0.0/33",
                "ip entry 1 is invalid: an IPv4 prefix length is a number from 0 to 32"},
           Case{"1.2.3.4/abc",
                "ip entry 1 is invalid: an IPv4 prefix length is a number from 0 to 32"},
           Case{"2001:db8::/129",
                "ip entry 1 is invalid: an IPv6 prefix length is a number from 0 to 128"},
           Case{"1.2.3.4|",
                "ip entry 2 is invalid: it is empty (only the whole field empty means any "
                "address)"},
           Case{"|",
                "ip entry 1 is invalid: it is empty (only the whole field empty means any "
                "address)"},
           Case{"1.2.3.4|garbage",
                "ip entry 2 is invalid: it is not an IPv4 or IPv6 address, a CIDR range, auto or "
                "auto/N"},
           Case{"1.2.3.4|5.6.7.8| |auto",
                "ip entry 3 is invalid: it is empty (only the whole field empty means any "
                "address)"},
       }) {
    INFO(c.list);
    CHECK(sevu::usher::ip_list_problem(c.list) == std::string(c.problem));
  }
  for (const char* bad : {"/24", "1.2.3.4/", "1.2.3.4/08", "AUTO", "auto /24", "300.1.1.1",
                          "1.2.3.4 5", "fe80::1%eth0", "[::1]", "1.2.3.4/8/8"}) {
    INFO(bad);
    CHECK(sevu::usher::ip_list_problem(bad));
  }
}

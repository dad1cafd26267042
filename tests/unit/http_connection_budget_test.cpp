// ConnectionBudget: a listener's own limit in all and per client, given back
// when a connection ends; client_key groups IPv4 by address and IPv6 by /64.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "http/connection_budget.hpp"

namespace {

using sevu::http::client_key;
using sevu::http::ConnectionBudget;

std::string v4(unsigned char a, unsigned char b, unsigned char c, unsigned char d) {
  std::array<unsigned char, 4> bytes{a, b, c, d};
  return client_key(bytes.data(), bytes.size());
}

std::string v6(std::array<unsigned char, 16> bytes) {
  return client_key(bytes.data(), bytes.size());
}

// How many more connections the budget admits now (their places are given back on return).
std::size_t free_places(ConnectionBudget& budget) {
  std::vector<ConnectionBudget::Lease> extra;
  while (auto lease = budget.take(v4(10, 1, 0, static_cast<unsigned char>(extra.size()))))
    extra.push_back(std::move(*lease));
  return extra.size();
}

}  // namespace

TEST_CASE("the total limit holds and places come back when leases end") {
  auto budget = std::make_shared<ConnectionBudget>(3, 0);
  std::vector<ConnectionBudget::Lease> held;
  for (int i = 0; i < 3; ++i) {
    auto lease = budget->take(v4(10, 0, 0, static_cast<unsigned char>(i)));
    REQUIRE(lease);
    held.push_back(std::move(*lease));
  }
  CHECK(free_places(*budget) == 0);
  CHECK_FALSE(budget->take(v4(10, 0, 0, 9)).has_value());
  held.pop_back();
  CHECK(free_places(*budget) == 1);
  CHECK(budget->take(v4(10, 0, 0, 9)).has_value());  // a temporary: given back at once
  CHECK(free_places(*budget) == 1);
  held.clear();
  CHECK(free_places(*budget) == 3);
}

TEST_CASE("one client cannot take more than its share; others still get in") {
  auto budget = std::make_shared<ConnectionBudget>(100, 2);
  auto a1 = budget->take(v4(127, 0, 0, 1));
  auto a2 = budget->take(v4(127, 0, 0, 1));
  REQUIRE(a1);
  REQUIRE(a2);
  CHECK_FALSE(budget->take(v4(127, 0, 0, 1)).has_value());
  auto b = budget->take(v4(127, 0, 0, 2));
  CHECK(b.has_value());
  a1.reset();
  CHECK(budget->take(v4(127, 0, 0, 1)).has_value());
}

TEST_CASE("client keys: IPv4-mapped IPv6 is the IPv4 client, IPv6 counts per /64") {
  CHECK(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}) == v4(192, 0, 2, 1));
  auto host1 = v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1});
  auto host2 = v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xab, 0xcd, 0, 0, 0, 0, 0, 2});
  auto other = v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(host1 == host2);
  CHECK(host1 != other);
  CHECK(v4(10, 0, 0, 1) != v4(10, 0, 0, 2));
}

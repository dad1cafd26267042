// The ticket "ip" field (docs/legacy-api.md): the empty field admits any
// address; otherwise a pipe list of entries, each one of
//   "0.0.0.0/0" or "::/0"         -> any address
//   "1.2.3.4", "2001:db8::1"      -> that address
//   "10.0.0.0/8", "2001:db8::/32" -> CIDR (prefix 0..32 for IPv4, 0..128 for IPv6)
//   "auto", "auto/N" (N 1..32)    -> unbound slot; binds to the first client's
//                                    address (auto) or its /N network (IPv4; an
//                                    IPv6 client binds its /64)
// "::ffff:a.b.c.d" is treated as the IPv4 address a.b.c.d everywhere.
// Details (decided):
// - Entries are trimmed of whitespace; a field of only whitespace is empty.
//   An empty entry inside a list ("1.2.3.4|", "|") is invalid, not "any": only
//   the whole field empty, or an IPv4 "x/0" / IPv6 "x::/0", admits everyone.
//   "Any" admits even a client address that does not parse.
// - IPv4 is a strict dotted quad: four parts 0..255, no leading zeros, no
//   signs. Prefix lengths are plain decimals without leading zeros.
// - Matching happens in one 128-bit space where IPv4 sits at ::ffff:0:0/96, so
//   "::ffff:10.0.0.0/104" is the same network as "10.0.0.0/8". Host bits in a
//   CIDR base are ignored.
// - Binding writes the client's address ("1.2.3.4", "2001:db8::1") or network
//   ("1.2.3.0/24", "2001:db8:1:2::/64") over that entry's text; the other
//   entries keep their text and order.
// - A ticket is refused at creation when ip_list_problem finds an invalid
//   entry. Invalid entries that are stored anyway (rows written by an older
//   version) never match and never bind: such a ticket fails closed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevu::usher {

struct IpAddress {
  bool v4 = true;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4
  std::string to_string() const;    // dotted quad, or RFC 5952 text for IPv6
};

// Strict: no surrounding whitespace, no zone ids, no brackets. Unmaps ::ffff:a.b.c.d.
std::optional<IpAddress> parse_ip(std::string_view text);

// Why ip_list is not a valid ticket "ip" field ("ip entry 2 is invalid: ..."),
// or nullopt when it is.
std::optional<std::string> ip_list_problem(std::string_view ip_list);

struct IpCheck {
  bool allowed = false;
  std::string ip_after;  // the list with the entry bound by this client, if any;
                         // otherwise the list unchanged
};

// Entries already matching win over binding a free auto slot; a client already
// inside a bound network does not consume another slot.
IpCheck check_ip(std::string_view ip_list, std::string_view client);

}  // namespace sevu::usher

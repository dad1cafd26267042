#include "usher/ip_rules.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "core/text.hpp"

namespace sevu::usher {
namespace {

using Bytes16 = std::array<uint8_t, 16>;

// Every address is matched in one 128-bit space where IPv4 a.b.c.d lives at
// ::ffff:a.b.c.d, so v4 entries, v4 clients and their mapped spellings agree.
constexpr int kV4InV6Offset = 96;

// A run of 1..max_digits decimal digits without leading zeros; nullopt for
// anything else (signs, spaces, empty, "010" which some tools read as octal).
// Short enough that it cannot overflow.
std::optional<int> parse_small_number(std::string_view s, size_t max_digits) {
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  const std::optional<int64_t> value = parse_decimal(s, max_digits);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// Strict dotted quad: exactly four parts, each 0..255, no leading zeros.
std::optional<std::array<uint8_t, 4>> parse_v4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  for (size_t i = 0; i < 4; ++i) {
    const size_t dot = s.find('.');
    const bool last = i == 3;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view part = s.substr(0, dot);
    const std::optional<int> octet = parse_small_number(part, 3);
    if (!octet || *octet > 255) return std::nullopt;
    out[i] = static_cast<uint8_t>(*octet);
    if (!last) s.remove_prefix(dot + 1);
  }
  return out;
}

bool is_v4_mapped(const Bytes16& b) {
  for (size_t i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

Bytes16 to_v6_space(const IpAddress& a) {
  if (!a.v4) return a.bytes;
  Bytes16 out{};
  out[10] = out[11] = 0xff;
  for (size_t i = 0; i < 4; ++i) out[12 + i] = a.bytes[i];
  return out;
}

// Clears every bit after the first `prefix` bits of the first `width` bytes.
template <size_t N>
void clear_host_bits(std::array<uint8_t, N>& bytes, int prefix, size_t width) {
  for (size_t i = 0; i < width; ++i) {
    const int bits_kept = prefix - static_cast<int>(i) * 8;
    if (bits_kept >= 8) continue;
    bytes[i] = bits_kept <= 0 ? 0 : static_cast<uint8_t>(bytes[i] & (0xff << (8 - bits_kept)));
  }
}

struct Network {
  Bytes16 base{};  // host bits already cleared
  int prefix = 128;
};

bool contains(const Network& net, const Bytes16& addr) {
  Bytes16 masked = addr;
  clear_host_bits(masked, net.prefix, masked.size());
  return masked == net.base;
}

enum class EntryKind { kAny, kNetwork, kAuto, kInvalid };

struct Entry {
  EntryKind kind = EntryKind::kInvalid;
  Network network;           // kNetwork
  int auto_prefix = -1;      // kAuto: -1 for "auto" (the exact address), else N of "auto/N"
  const char* problem = "";  // kInvalid: why, for the message refusing it
};

Entry invalid(const char* problem) {
  Entry entry;
  entry.problem = problem;
  return entry;
}

// One entry of a non-empty list.
Entry parse_entry(std::string_view raw) {
  const std::string_view text = trim(raw, kAsciiSpace);
  Entry entry;
  if (text.empty()) return invalid("it is empty (only the whole field empty means any address)");
  if (text == "auto") {
    entry.kind = EntryKind::kAuto;
    return entry;
  }
  constexpr std::string_view kAutoSlash = "auto/";
  if (text.substr(0, kAutoSlash.size()) == kAutoSlash) {
    const std::optional<int> n = parse_small_number(text.substr(kAutoSlash.size()), 2);
    if (!n || *n < 1 || *n > 32) return invalid("auto/N needs N from 1 to 32");
    entry.kind = EntryKind::kAuto;
    entry.auto_prefix = *n;
    return entry;
  }

  const size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const std::optional<IpAddress> address = parse_ip(address_text);
  if (!address) return invalid("it is not an IPv4 or IPv6 address, a CIDR range, auto or auto/N");
  // An IPv6 prefix counts IPv6 bits. An IPv4 address counts as IPv4 however
  // it is written (docs/legacy-api.md, IP restrictions), so its prefix counts
  // IPv4 bits, 0 to 32; written ::ffff:a.b.c.d it may also be the same range's
  // IPv6 prefix, 96 to 128. Anything between would reach past the IPv4 space
  // ("::ffff:10.0.0.0/8" read as IPv6 is ::/8, nearly every address): refused.
  const bool written_as_v6 = address_text.find(':') != std::string_view::npos;
  int prefix = 128;
  if (slash != std::string_view::npos) {
    const std::optional<int> n = parse_small_number(text.substr(slash + 1), 3);
    if (!address->v4) {
      if (!n || *n > 128) return invalid("an IPv6 prefix length is a number from 0 to 128");
      prefix = *n;
    } else if (n && *n <= 32) {
      // "0.0.0.0/0" means every address, IPv6 ones too, as "::/0" does.
      if (*n == 0) {
        entry.kind = EntryKind::kAny;
        return entry;
      }
      prefix = kV4InV6Offset + *n;
    } else if (n && written_as_v6 && *n >= kV4InV6Offset && *n <= 128) {
      prefix = *n;
    } else {
      return invalid(written_as_v6 ? "an IPv4 address written ::ffff:a.b.c.d takes a prefix "
                                     "length from 0 to 32 (or 96 to 128)"
                                   : "an IPv4 prefix length is a number from 0 to 32");
    }
  }
  entry.kind = EntryKind::kNetwork;
  entry.network.prefix = prefix;
  entry.network.base = to_v6_space(*address);
  clear_host_bits(entry.network.base, prefix, entry.network.base.size());
  if (prefix == 0) entry.kind = EntryKind::kAny;
  return entry;
}

// What an auto slot becomes once this client binds it.
std::string bound_entry_text(const Entry& slot, const IpAddress& client) {
  if (slot.auto_prefix < 0) return client.to_string();
  IpAddress network = client;
  // An IPv6 client always binds its /64: a v4-sized prefix means nothing there.
  const int prefix = client.v4 ? slot.auto_prefix : 64;
  clear_host_bits(network.bytes, prefix, client.v4 ? 4 : 16);
  return network.to_string() + "/" + std::to_string(prefix);
}

struct Segment {
  size_t begin = 0, size = 0;  // where the raw entry sits in the list
  Entry entry;
};

std::vector<Segment> split_entries(std::string_view list) {
  std::vector<Segment> segments;
  size_t begin = 0;
  while (true) {
    const size_t bar = list.find('|', begin);
    const size_t end = bar == std::string_view::npos ? list.size() : bar;
    segments.push_back({begin, end - begin, parse_entry(list.substr(begin, end - begin))});
    if (bar == std::string_view::npos) return segments;
    begin = bar + 1;
  }
}

}  // namespace

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  const int family = v4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, bytes.data(), buffer, sizeof buffer) == nullptr) return {};
  return buffer;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress out;
  if (text.find(':') == std::string_view::npos) {
    const std::optional<std::array<uint8_t, 4>> v4 = parse_v4(text);
    if (!v4) return std::nullopt;
    std::memcpy(out.bytes.data(), v4->data(), v4->size());
    return out;
  }
  // inet_pton wants a C string: an embedded NUL would silently cut the text short.
  if (text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string c_text(text);
  Bytes16 bytes{};
  if (inet_pton(AF_INET6, c_text.c_str(), bytes.data()) != 1) return std::nullopt;
  if (is_v4_mapped(bytes)) {
    std::memcpy(out.bytes.data(), bytes.data() + 12, 4);
    return out;
  }
  out.v4 = false;
  out.bytes = bytes;
  return out;
}

std::optional<std::string> ip_list_problem(std::string_view ip_list) {
  if (trim(ip_list, kAsciiSpace).empty()) return std::nullopt;
  const std::vector<Segment> segments = split_entries(ip_list);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].entry.kind != EntryKind::kInvalid) continue;
    // The position, not the text: the message stays short and valid UTF-8.
    return "ip entry " + std::to_string(i + 1) + " is invalid: " + segments[i].entry.problem;
  }
  return std::nullopt;
}

IpCheck check_ip(std::string_view ip_list, std::string_view client) {
  IpCheck result;
  result.ip_after = std::string(ip_list);
  if (trim(ip_list, kAsciiSpace).empty()) {
    result.allowed = true;
    return result;
  }
  const std::optional<IpAddress> client_address = parse_ip(trim(client, kAsciiSpace));
  const std::vector<Segment> segments = split_entries(ip_list);

  for (const Segment& s : segments) {
    const bool matches = s.entry.kind == EntryKind::kAny ||
                         (s.entry.kind == EntryKind::kNetwork && client_address &&
                          contains(s.entry.network, to_v6_space(*client_address)));
    if (matches) {
      result.allowed = true;
      return result;
    }
  }
  // No entry admits the client: the first free auto slot binds to it, in place.
  if (!client_address) return result;
  for (const Segment& s : segments) {
    if (s.entry.kind != EntryKind::kAuto) continue;
    result.ip_after.replace(s.begin, s.size, bound_entry_text(s.entry, *client_address));
    result.allowed = true;
    return result;
  }
  return result;
}

}  // namespace sevu::usher

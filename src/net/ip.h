// IPv6/IPv4 addresses and prefixes (pure; parsing through inet_pton).
#pragma once

#include <array>
#include <optional>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace forest::net {

struct Ipv6Address {
  std::array<uint8_t, 16> bytes{};

  static Result<Ipv6Address> Parse(std::string_view text);
  std::string ToString() const;  // RFC 5952 form via inet_ntop
  // Returns this address plus `offset` (128-bit add; wraps silently past ::ffff...).
  Ipv6Address Plus(uint64_t offset) const;
  auto operator<=>(const Ipv6Address&) const = default;
};

struct Ipv6Prefix {
  Ipv6Address address;  // host bits are always zero
  int length = 0;       // 0..128

  // "fd00:1000::/20". Refuses host bits below the length (the message says
  // which prefix was probably meant).
  static Result<Ipv6Prefix> Parse(std::string_view text);
  std::string ToString() const;

  bool Contains(const Ipv6Address& a) const;
  bool Contains(const Ipv6Prefix& p) const;  // p lies inside this prefix
  bool Overlaps(const Ipv6Prefix& p) const;
  // The `index`-th sub-prefix of length `new_length` (new_length >= length,
  // index < 2^(new_length-length)); error otherwise.
  Result<Ipv6Prefix> Subnet(int new_length, uint64_t index) const;
  // The address `offset` past the prefix's first address.
  Ipv6Address Host(uint64_t offset) const { return address.Plus(offset); }
  auto operator<=>(const Ipv6Prefix&) const = default;
};

// An interface address with its on-link prefix length, e.g. "fd00:f00d::1/64".
struct Ipv6Interface {
  Ipv6Address address;
  int length = 0;
  static Result<Ipv6Interface> Parse(std::string_view text);
  std::string ToString() const;
  Ipv6Prefix Network() const;
  auto operator<=>(const Ipv6Interface&) const = default;
};

struct Ipv4Interface {
  std::array<uint8_t, 4> address{};
  int length = 0;
  static Result<Ipv4Interface> Parse(std::string_view text);  // "10.203.0.1/24"
  std::string ToString() const;
  std::string NetworkString() const;  // "10.203.0.0/24"
  bool Overlaps(const Ipv4Interface& o) const;  // the two on-link networks share addresses
  // The address `n` after this one, same length; nullopt if it leaves the
  // network or is its broadcast address.
  std::optional<Ipv4Interface> Offset(uint32_t n) const;
  std::string AddressString() const;  // "10.203.0.1"
  auto operator<=>(const Ipv4Interface&) const = default;
};

}  // namespace forest::net

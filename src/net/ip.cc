#include "net/ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace forest::net {
namespace {

// Splits "addr/len"; the length must be a decimal number in [0, max].
Result<std::pair<std::string, int>> SplitLength(std::string_view text, int max, const char* what) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return MakeError("'" + std::string(text) + "' has no prefix length; expected " + what);
  }
  std::string_view len_text = text.substr(slash + 1);
  int len = -1;
  auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (len_text.empty() || ec != std::errc() || ptr != len_text.data() + len_text.size() || len < 0 || len > max) {
    return MakeError("'" + std::string(text) + "' has an invalid prefix length; expected 0.." + std::to_string(max));
  }
  return std::make_pair(std::string(text.substr(0, slash)), len);
}

Ipv6Address Masked(const Ipv6Address& a, int length) {
  Ipv6Address out = a;
  for (int i = 0; i < 16; ++i) {
    int bits = length - i * 8;
    if (bits >= 8) continue;
    out.bytes[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return out;
}

}  // namespace

Result<Ipv6Address> Ipv6Address::Parse(std::string_view text) {
  Ipv6Address a;
  std::string s(text);
  if (s.size() > 45 || s.find('\0') != std::string::npos || ::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) {
    return MakeError("'" + std::string(text.substr(0, 64)) + "' is not an IPv6 address");
  }
  return a;
}

std::string Ipv6Address::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

Ipv6Address Ipv6Address::Plus(uint64_t offset) const {
  Ipv6Address out = *this;
  unsigned carry = 0;
  for (int i = 15; i >= 0; --i) {
    unsigned add = i >= 8 ? static_cast<unsigned>((offset >> ((15 - i) * 8)) & 0xff) : 0;
    unsigned sum = out.bytes[i] + add + carry;
    out.bytes[i] = static_cast<uint8_t>(sum & 0xff);
    carry = sum >> 8;
  }
  return out;
}

Result<Ipv6Prefix> Ipv6Prefix::Parse(std::string_view text) {
  FOREST_ASSIGN_OR_RETURN(auto parts, SplitLength(text, 128, "an IPv6 prefix such as fd00:1000::/20"));
  FOREST_ASSIGN_OR_RETURN(Ipv6Address a, Ipv6Address::Parse(parts.first));
  Ipv6Prefix p{Masked(a, parts.second), parts.second};
  if (p.address != a) {
    return MakeError("'" + std::string(text) + "' has host bits set; did you mean " + p.ToString() + "?");
  }
  return p;
}

std::string Ipv6Prefix::ToString() const { return address.ToString() + "/" + std::to_string(length); }

bool Ipv6Prefix::Contains(const Ipv6Address& a) const { return Masked(a, length) == address; }

bool Ipv6Prefix::Contains(const Ipv6Prefix& p) const { return p.length >= length && Contains(p.address); }

bool Ipv6Prefix::Overlaps(const Ipv6Prefix& p) const { return Contains(p) || p.Contains(*this); }

Result<Ipv6Prefix> Ipv6Prefix::Subnet(int new_length, uint64_t index) const {
  if (new_length < length || new_length > 128) {
    return MakeError("cannot take a /" + std::to_string(new_length) + " out of " + ToString());
  }
  int bits = new_length - length;
  if (bits < 64 && index >= (uint64_t{1} << bits)) {
    return MakeError(ToString() + " has only " + std::to_string(uint64_t{1} << bits) + " /" +
                     std::to_string(new_length) + " subnets; index " + std::to_string(index) + " is out of range");
  }
  Ipv6Prefix out{address, new_length};
  // Place `index` in bits [length, new_length).
  for (int b = 0; b < bits; ++b) {
    if ((index >> b) & 1) {
      int pos = new_length - 1 - b;  // bit position from the top
      out.address.bytes[pos / 8] |= static_cast<uint8_t>(0x80 >> (pos % 8));
    }
  }
  return out;
}

Result<Ipv6Interface> Ipv6Interface::Parse(std::string_view text) {
  FOREST_ASSIGN_OR_RETURN(auto parts, SplitLength(text, 128, "an IPv6 interface address such as fd00:f00d::1/64"));
  FOREST_ASSIGN_OR_RETURN(Ipv6Address a, Ipv6Address::Parse(parts.first));
  return Ipv6Interface{a, parts.second};
}

std::string Ipv6Interface::ToString() const { return address.ToString() + "/" + std::to_string(length); }

Ipv6Prefix Ipv6Interface::Network() const { return Ipv6Prefix{Masked(address, length), length}; }

Result<Ipv4Interface> Ipv4Interface::Parse(std::string_view text) {
  FOREST_ASSIGN_OR_RETURN(auto parts, SplitLength(text, 32, "an IPv4 interface address such as 10.203.0.1/24"));
  Ipv4Interface i;
  if (parts.first.size() > 15 || ::inet_pton(AF_INET, parts.first.c_str(), i.address.data()) != 1) {
    return MakeError("'" + std::string(text.substr(0, 64)) + "' is not an IPv4 address with a prefix length");
  }
  i.length = parts.second;
  return i;
}

std::string Ipv4Interface::ToString() const {
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, address.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(length);
}

namespace {
uint32_t Value(const std::array<uint8_t, 4>& a) {
  return (uint32_t(a[0]) << 24) | (uint32_t(a[1]) << 16) | (uint32_t(a[2]) << 8) | a[3];
}
uint32_t Mask(int length) { return length <= 0 ? 0 : ~uint32_t(0) << (32 - length); }
}  // namespace

std::string Ipv4Interface::NetworkString() const {
  uint32_t a = Value(address) & Mask(length);
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255) + "/" +
         std::to_string(length);
}

bool Ipv4Interface::Overlaps(const Ipv4Interface& o) const {
  uint32_t m = Mask(std::min(length, o.length));
  return (Value(address) & m) == (Value(o.address) & m);
}

std::optional<Ipv4Interface> Ipv4Interface::Offset(uint32_t n) const {
  uint64_t v = uint64_t(Value(address)) + n;
  uint32_t m = Mask(length);
  if (v > 0xffffffffu || (uint32_t(v) & m) != (Value(address) & m) || (uint32_t(v) | m) == 0xffffffffu) {
    return std::nullopt;
  }
  Ipv4Interface out = *this;
  for (int i = 0; i < 4; ++i) out.address[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  return out;
}

std::string Ipv4Interface::AddressString() const {
  std::string s = ToString();
  return s.substr(0, s.find('/'));
}

}  // namespace forest::net

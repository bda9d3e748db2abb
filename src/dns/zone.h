// Answers from memory: the names a forestd serves and how it answers a query
// about them (AAAA, A where known, SOA/NS at the apex, PTR, NODATA vs
// NXDOMAIN, EDNS0). Pure; the servers around it only move bytes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dns/message.h"
#include "net/ip.h"

namespace forest::dns {

struct Entry {
  std::vector<net::Ipv6Address> v6;
  std::vector<std::array<uint8_t, 4>> v4;
  bool reverse = true;  // a PTR target for its addresses (canonical names, not aliases)
};

struct ZoneData {
  std::string apex = "incus";
  std::string ns_name = "forest-dns.incus";
  std::string hostmaster = "hostmaster.forest-dns.incus";
  uint32_t serial = 1;
  uint32_t ttl = 30;           // positive answers: short, names move
  uint32_t negative_ttl = 5;   // SOA minimum: a new name shows up quickly
  std::map<std::string, Entry> names;  // lower case, no trailing dot
  // Reverse zones this server is authoritative for (the forest's prefixes);
  // PTR targets come from `names` (every name whose address it is).
  std::vector<net::Ipv6Prefix> reverse_zones;
};

// How a server answers a query it owns; `ours` is false when the name is
// outside its zones (the helper then refuses, a node forwards upward).
struct Answer {
  Response response;
  bool ours = false;
};

class Zone {
 public:
  // `authoritative_negative`: answer NXDOMAIN/NODATA for unknown names in the
  // zone (the helper). A node passes false: it answers only what it knows and
  // forwards everything else, so a stale local view never denies a name.
  Zone(ZoneData data, bool authoritative_negative);

  Answer Respond(const Query& q) const;
  // The whole reply to raw bytes: FORMERR for what does not parse (when it
  // has a header), nothing for what cannot be answered at all.
  std::optional<Answer> RespondWire(std::string_view wire) const;

  // Largest UDP payload we send (RFC 9715's 1232 when the client allows).
  static constexpr uint16_t kUdpPayload = 1232;

  const ZoneData& data() const { return data_; }

 private:
  bool InZone(const std::string& name) const;
  bool HasNameUnder(const std::string& name) const;
  ResourceRecord Soa() const;
  // The SOA for negative answers under the reverse zone that holds ADDR (RFC
  // 2308: every negative answer carries one); nullopt outside them.
  std::optional<ResourceRecord> ReverseSoa(const net::Ipv6Address& addr) const;

  ZoneData data_;
  bool authoritative_negative_;
  std::map<net::Ipv6Address, std::vector<std::string>> reverse_;
  std::vector<std::string> reversed_names_;  // every name reversed, sorted
};

// Max size of a UDP reply to `q` (512 without EDNS).
size_t UdpLimit(const Query& q);

// Whether `name` (lower case, no trailing dot) belongs to the forest's own
// zones: `.incus` and the reverse IPv6 tree. The edge root forwards these to
// the helper and everything else to DNS64.
bool IsForestName(std::string_view name);

}  // namespace forest::dns

// Fuzz target for the DNS packet parser and the answers built from it: any
// bytes a client sends must yield a well-formed reply or nothing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dns/message.h"
#include "dns/zone.h"

namespace {

const forest::dns::Zone& TestZone() {
  static const forest::dns::Zone zone = [] {
    forest::dns::ZoneData d;
    d.names["c0.incus"].v6.push_back(*forest::net::Ipv6Address::Parse("fd00:1000::1"));
    d.names["forest-dns.incus"].v6.push_back(*forest::net::Ipv6Address::Parse("fd00:f00d::53"));
    d.names["auth.app.c0.incus"].v4.push_back({10, 0, 0, 1});
    d.reverse_zones.push_back(*forest::net::Ipv6Prefix::Parse("fd00:1000::/20"));
    return forest::dns::Zone(d, true);
  }();
  return zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view wire(reinterpret_cast<const char*>(data), size);
  (void)forest::dns::ParseResponse(wire);
  auto answer = TestZone().RespondWire(wire);
  if (!answer) return 0;
  // Every reply we build parses back with the same id and fits the limit.
  auto q = forest::dns::ParseQuery(wire);
  size_t limit = q.ok() ? forest::dns::UdpLimit(*q) : 512;
  std::string reply = forest::dns::Serialize(answer->response, limit);
  if (reply.size() > limit && reply.size() > 512) __builtin_trap();
  auto back = forest::dns::ParseResponse(reply);
  if (!back.ok() || back->id != answer->response.id) __builtin_trap();
  return 0;
}

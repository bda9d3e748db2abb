#include "topology/topology.h"

#include "base/files.h"

namespace forest::topology {

Topology Defaults() {
  Topology t;
  t.name = "forest";
  t.host.ipv6 = net::Ipv6Interface::Parse("fd00:f00d::1/64").value();
  t.host.ipv4 = net::Ipv4Interface::Parse("10.203.0.1/24").value();
  t.host.uplink_range = net::Ipv6Prefix::Parse("fd00:f00d:0:1::/64").value();
  t.helper.address = net::Ipv6Address::Parse("fd00:f00d::53").value();
  t.helper.cache_address = net::Ipv6Address::Parse("fd00:f00d::3142").value();
  t.nat64_prefix = net::Ipv6Prefix::Parse("64:ff9b::/96").value();
  return t;
}

Result<Topology> LoadFile(const std::string& path) {
  auto text = ReadFile(path, kMaxInputBytes);
  if (!text.ok()) return text.error();
  return Parse(*text, path);
}

}  // namespace forest::topology

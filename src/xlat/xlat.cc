#include "xlat/xlat.h"

#include <cstdio>

namespace forest::xlat {
namespace {

// TAYGA's addresses at the edge: the pool IPv6 clients are mapped into (then
// masqueraded), and TAYGA's own IPv4 for ICMP errors. RFC 6598 shared space,
// which no forest or LAN range uses.
constexpr char kPool[] = "100.127.128.0/17";
constexpr char kPoolRoute[] = "100.127.0.0/16";
constexpr char kEdgeTayga4[] = "100.127.0.1";
// The CLAT: TAYGA's own IPv4 and the one IPv4 source it maps to the sidecar's
// /128 (local clients are translated to it first: NAT44 in clatns).
constexpr char kClatTayga4[] = "192.0.0.1";
constexpr char kClatSource[] = "192.0.0.2";

// TAYGA's own IPv6 address (source of the ICMPv6 errors it generates): one
// in the node's uplink range that no child /128 (::1..::f, ::c1a7:k) uses.
net::Ipv6Address TaygaAddress(const plan::NodePlan& n) { return n.uplink_range.Host(0x6464); }

std::string EdgeTayga(const plan::Plan& plan, const plan::NodePlan& n) {
  return "# NAT64 at the edge of " + n.canonical_name + ", written by forestd.\n"
         "tun-device nat64\n"
         "ipv4-addr " + kEdgeTayga4 + "\n"
         "ipv6-addr " + TaygaAddress(n).ToString() + "\n"
         "prefix " + plan.nat64_prefix.ToString() + "\n"
         "dynamic-pool " + kPool + "\n"
         "data-dir /var/lib/forest/xlat/nat64\n";
}

std::string Unbound(const plan::Plan& plan, const plan::NodePlan& n) {
  std::string upstream = plan.dns64_upstream;
  return "# DNS64 for the forest at " + n.canonical_name + ", written by forestd: AAAA answers are\n"
         "# synthesised under the NAT64 prefix for names that only have A records.\n"
         "server:\n"
         "  interface: ::1@" + std::to_string(kDns64Port) + "\n"
         "  port: " + std::to_string(kDns64Port) + "\n"
         "  do-daemonize: no\n"
         "  username: \"\"\n"
         "  chroot: \"\"\n"
         "  directory: \"" + kConfigDir + "\"\n"
         "  pidfile: \"\"\n"
         "  use-syslog: no\n"
         "  verbosity: 1\n"
         "  access-control: ::1/128 allow\n"
         "  do-not-query-localhost: no\n"
         "  module-config: \"dns64 iterator\"\n"
         "  dns64-prefix: " + plan.nat64_prefix.ToString() + "\n"
         "  qname-minimisation: no\n"
         "forward-zone:\n"
         "  name: \".\"\n"
         "  forward-addr: " + upstream + "\n";
}

std::string EdgeNft(const plan::NodePlan& n) {
  std::string clients = std::string("{ ") + kPoolRoute + ", " + plan::LanIpv4().NetworkString() + " }";
  std::string eg = kEgressInterface;
  return "# The edge of " + n.canonical_name + ", written by forestd: what may leave through the\n"
         "# IPv4 egress and how (masquerade). Forest-internal IPv6 never uses it.\n"
         "table inet forest_edge {}\n"
         "delete table inet forest_edge\n"
         "table inet forest_edge {\n"
         "  # Egress policy hook: addresses in egress_deny4 are refused unless also in\n"
         "  # egress_allow4 (nft add element inet forest_edge egress_deny4 { 192.0.2.0/24 }).\n"
         "  set egress_allow4 { type ipv4_addr; flags interval; }\n"
         "  set egress_deny4 { type ipv4_addr; flags interval; }\n"
         "  chain egress_policy {\n"
         "    ip daddr @egress_allow4 accept\n"
         "    ip daddr @egress_deny4 counter reject with icmp type admin-prohibited\n"
         "  }\n"
         "  chain forward {\n"
         "    type filter hook forward priority filter; policy accept;\n"
         "    meta nfproto ipv6 oifname \"" + eg + "\" counter drop\n"
         "    meta nfproto ipv6 iifname \"" + eg + "\" counter drop\n"
         "    oifname \"" + eg + "\" ip saddr != " + clients + " counter drop\n"
         "    oifname \"" + eg + "\" jump egress_policy\n"
         "    oifname \"" + eg + "\" counter accept\n"
         "    iifname \"" + eg + "\" ct state established,related counter accept\n"
         "    iifname \"" + eg + "\" counter drop\n"
         "  }\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    oifname \"" + eg + "\" ip saddr " + clients + " counter masquerade\n"
         "  }\n"
         "}\n";
}

std::string ClatTayga(const plan::Plan& plan, const plan::NodePlan& n) {
  return "# CLAT of " + n.canonical_name + ", written by forestd (runs in netns " + kNetns + ").\n"
         "tun-device clat\n"
         "ipv4-addr " + kClatTayga4 + "\n"
         "ipv6-addr " + TaygaAddress(n).ToString() + "\n"
         "prefix " + plan.nat64_prefix.ToString() + "\n"
         "map " + kClatSource + " " + n.clat_uplink.ToString() + "\n";
}

std::string ClatNft(const plan::NodePlan& n) {
  return "# NAT44 in the CLAT of " + n.canonical_name + ", written by forestd: every local IPv4\n"
         "# client becomes " + kClatSource + ", the one address TAYGA maps to the sidecar's /128.\n"
         "table ip forest_clat {}\n"
         "delete table ip forest_clat\n"
         "table ip forest_clat {\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    oifname \"clat\" counter snat to " + kClatSource + "\n"
         "  }\n"
         "}\n";
}

// up0's MAC, fixed per node: a re-created sidecar (xlat down/up, a restart)
// answers with the MAC the parent's neighbour cache already holds, so traffic
// resumes at once instead of after neighbour unreachability detection.
std::string UplinkMac(const plan::NodePlan& n) {
  uint32_t h = 2166136261u;  // FNV-1a over the canonical name
  for (unsigned char c : n.canonical_name) h = (h ^ c) * 16777619u;
  char buf[18];
  std::snprintf(buf, sizeof buf, "02:c1:a7:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
  return buf;
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kEdge: return "edge";
    case Role::kClat: return "clat";
    case Role::kNone: break;
  }
  return "none";
}

Wiring ForNode(const plan::Plan& plan, const plan::NodePlan& self) {
  Wiring s;
  if (self.depth == 0 && !self.edge) return s;
  s.role = self.depth == 0 ? Role::kEdge : Role::kClat;
  s.env["XLAT_ROLE"] = RoleName(s.role);
  s.env["XLAT_CONF"] = kConfigDir;
  s.env["XLAT_NAT64_PREFIX"] = plan.nat64_prefix.ToString();
  s.env["XLAT_LAN_IPV4"] = plan::LanIpv4().NetworkString();
  s.env["XLAT_TAYGA6"] = TaygaAddress(self).ToString();
  if (s.role == Role::kEdge) {
    s.env["XLAT_EGRESS_IF"] = kEgressInterface;
    s.env["XLAT_EGRESS_IPV4"] = self.egress_ipv4.ToString();
    s.env["XLAT_EGRESS_GATEWAY"] = plan.host_ipv4.AddressString();
    s.env["XLAT_POOL_ROUTE"] = kPoolRoute;
    s.files["tayga-nat64.conf"] = EdgeTayga(plan, self);
    s.files["unbound.conf"] = Unbound(plan, self);
    s.files["edge.nft"] = EdgeNft(self);
    return s;
  }
  s.env["XLAT_NETNS"] = kNetns;
  s.env["XLAT_UPLINK_IF"] = kUplink;
  s.env["XLAT_UPLINK_MAC"] = UplinkMac(self);
  s.env["XLAT_CLAT_UPLINK"] = self.clat_uplink.ToString();
  s.env["XLAT_LAN_MAIN"] = kLanMain;
  s.env["XLAT_LAN_NS"] = kLanNs;
  s.env["XLAT_LAN_MAIN_ADDRESS"] = kLanMainAddress;
  s.env["XLAT_LAN_NS_ADDRESS"] = kLanNsAddress;
  s.env["XLAT_TABLE"] = std::to_string(kTable);
  s.env["XLAT_PREF"] = std::to_string(kRulePreference);
  s.env["XLAT_MTU"] = std::to_string(kLanMtu);
  s.files["tayga-clat.conf"] = ClatTayga(plan, self);
  s.files["clat.nft"] = ClatNft(self);
  return s;
}

}  // namespace forest::xlat

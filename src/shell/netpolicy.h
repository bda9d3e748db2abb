// Network modes of forest shell jails, as one nftables table on the host.
// Pure: renders the ruleset text; the caller loads it with `nft -f`.
//
// A jail is a root of the shell forest. All its IPv4 (its own and its
// subtree's, after NAT64/CLAT inside it) leaves through its bridged NIC with
// one address (Incus's ipv4_filtering pins it); all its IPv6 comes from its
// routed /128 uplink and delegated prefix (Incus's routed-NIC anti-spoofing).
// So the host tells jails apart by source address alone.
#pragma once

#include <string>
#include <vector>

#include "shell/config.h"

namespace forest::shell {

struct JailNet {
  std::string name;                // jail label (comments, set names)
  NetMode mode = NetMode::kRestricted;
  std::string ipv4;                // the jail's egress IPv4, e.g. "10.203.32.2"
  std::vector<std::string> ipv6;   // its uplink /128 and prefix, e.g. "fd00:5e00:1::/48"
  std::vector<std::string> allow4; // allowlist mode: IPv4 addresses or prefixes
  std::vector<std::string> allow6; // allowlist mode: IPv6 addresses or prefixes
};

// Forest plumbing every jail may always reach, whatever its mode.
struct Plumbing {
  std::string host_ipv4;    // host's bridge IPv4: DNS (udp/tcp 53) for the jail's DNS64
  std::string host_ipv6;    // host's bridge IPv6 (ping)
  std::string incus_ipv6;   // where the host's Incus serves images (tcp incus_port); "" = host_ipv6
  int incus_port = 8443;
  std::string helper_ipv6;  // the helper: DNS (udp/tcp 53), its API (tcp 8053)
  std::vector<std::string> dns_upstreams;  // more DNS servers the jails' DNS64 asks (udp/tcp 53)
};

// The whole table `inet <table>` (it replaces an earlier one atomically when
// loaded with nft -f). Semantics, for traffic whose source is a jail:
//  - replies of flows someone else started (ct established/related) pass;
//  - ICMP/ICMPv6 errors and neighbour discovery pass;
//  - plumbing above passes;
//  - other jails (their IPv4 and IPv6) are rejected in every mode;
//  - to the host itself nothing else passes (input hook);
//  - restricted: private, shared, link-local, loopback, multicast and
//    metadata ranges are rejected (v4: 0/8 10/8 100.64/10 127/8 169.254/16
//    172.16/12 192.0.0/24 192.168/16 198.18/15 224/4 240/4; v6: ::/128 ::1
//    ::ffff:0:0/96 fc00::/7 fe80::/10 ff00::/8), the rest passes;
//  - allowlist: only allow4/allow6 pass;
//  - open: everything else passes.
// Rejections use ICMP admin-prohibited (TCP: reset) so tools fail at once.
std::string RenderTable(const std::string& table, const Plumbing& p,
                        const std::vector<JailNet>& jails);

}  // namespace forest::shell

// Where a forest's roots pull images from the host's Incus. Incus listens
// for HTTPS on one `core.https_address` for everyone on the host, and several
// forests share it: the first sets it to its bridge address, the others use
// what is there. Pure: the caller reads and writes the setting.
#pragma once

#include <string>

#include "base/result.h"
#include "net/ip.h"

namespace forest::up {

struct ImageServer {
  std::string set;           // the value to write into core.https_address; "" = leave it
  net::Ipv6Address address;  // where the roots connect
  int port = 8443;
  std::string Url() const;  // https://[address]:port
};

// From the current `core.https_address` (`have`) and this forest's bridge
// address:
//  - unset: listen on the bridge address, port 8443, and pull from it;
//  - a wildcard ("[::]:P", ":P", "0.0.0.0:P"): pull from the bridge address
//    on port P;
//  - another IPv6 address (another forest's bridge): pull from that address.
//    It is the host's own, so the roots reach it through their default
//    route like the bridge address;
// An IPv4 address, a name or loopback is an error that says what to set:
// the roots pull over IPv6 and cannot reach it.
Result<ImageServer> ImageServerFor(const std::string& have, const net::Ipv6Address& bridge);

}  // namespace forest::up

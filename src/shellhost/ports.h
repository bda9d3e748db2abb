// A forest shell jail's ports published on the host's addresses for other
// machines: Incus proxy devices named forest-port-<hostport>, TCP.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// "HOSTPORT[:JAILPORT]" (1..65535 each; JAILPORT defaults to HOSTPORT).
struct PortPair {
  std::string host;
  std::string jail;
};
Result<PortPair> ParsePorts(const std::string& arg);
// The listen address as the proxy device spells it (IPv6 in brackets).
std::string ListenAddress(const std::string& address);
// The device's name and body for `p` on `address`.
std::string PortDeviceName(const std::string& hostport);
nlohmann::json PortDevice(const std::string& address, const PortPair& p);

Status PublishPort(const Session& s, const std::string& jail, const std::string& address, const PortPair& p);

struct PublishedPort {
  std::string device, listen, connect;
};
Result<std::vector<PublishedPort>> ListPorts(const Session& s, const std::string& jail);
// An error naming `forest shell ports list` when HOSTPORT is not published.
Status UnpublishPort(const Session& s, const std::string& jail, const std::string& hostport);

}  // namespace forest::shellhost

#include "shellhost/ports.h"

#include "incus/api.h"

namespace forest::shellhost {

namespace {
bool IsPort(const std::string& s) {
  return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos &&
         std::stoi(s) >= 1 && std::stoi(s) <= 65535;
}
}  // namespace

Result<PortPair> ParsePorts(const std::string& arg) {
  auto colon = arg.find(':');
  PortPair p;
  p.host = arg.substr(0, colon);
  p.jail = colon == std::string::npos ? p.host : arg.substr(colon + 1);
  if (!IsPort(p.host) || !IsPort(p.jail)) {
    return MakeError("PORTS: expected HOSTPORT[:JAILPORT] (1..65535), not " + arg);
  }
  return p;
}

std::string ListenAddress(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

std::string PortDeviceName(const std::string& hostport) { return "forest-port-" + hostport; }

nlohmann::json PortDevice(const std::string& address, const PortPair& p) {
  return {{"type", "proxy"},
          {"listen", "tcp:" + ListenAddress(address) + ":" + p.host},
          {"connect", "tcp:127.0.0.1:" + p.jail}};
}

Status PublishPort(const Session& s, const std::string& jail, const std::string& address, const PortPair& p) {
  auto c = s.Client();
  return incus::PatchInstance(c, jail, {{"devices", {{PortDeviceName(p.host), PortDevice(address, p)}}}});
}

Result<std::vector<PublishedPort>> ListPorts(const Session& s, const std::string& jail) {
  auto c = s.Client();
  auto inst = incus::GetInstance(c, jail);
  if (!inst.ok() || !*inst) return MakeError(jail + " is not in Incus");
  std::vector<PublishedPort> out;
  for (const auto& [k, v] : (**inst)["devices"].items()) {
    if (k.rfind("forest-port-", 0) != 0) continue;
    out.push_back({k, v.value("listen", ""), v.value("connect", "")});
  }
  return out;
}

Status UnpublishPort(const Session& s, const std::string& jail, const std::string& hostport) {
  auto c = s.Client();
  FOREST_ASSIGN_OR_RETURN(bool gone, incus::RemoveInstanceDevice(c, jail, PortDeviceName(hostport)));
  if (!gone) {
    return MakeError("port " + hostport + " is not published; `forest shell ports list " + jail +
                     "` shows them");
  }
  return {};
}

}  // namespace forest::shellhost

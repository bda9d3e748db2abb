#include "up/conflicts.h"

namespace forest::up {

namespace {

// Fields read defensively: the daemon's JSON is input like any other.
std::string Str(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

constexpr char kMarker[] = "(made by forest up for project forest-";

std::string Remedy(const nlohmann::json& n) {
  std::string desc = Str(n, "description");
  if (auto p = desc.find(kMarker); p != std::string::npos) {
    std::string rest = desc.substr(p + sizeof kMarker - 1);
    std::string other = rest.substr(0, rest.find(')'));
    return "it belongs to forest '" + other + "': `forest down " + other +
           "` removes it, or give this topology other host addresses (host.ipv6, host.ipv4, "
           "host.uplink_range, roots' prefixes)";
  }
  return "remove that network (`incus network delete " + Str(n, "name") +
         "`) or give this topology other host addresses (host.ipv6, host.ipv4, "
         "host.uplink_range, roots' prefixes)";
}

}  // namespace

std::optional<std::string> FindAddressConflict(const nlohmann::json& networks,
                                               const HostRanges& want) {
  if (!networks.is_array()) return std::nullopt;
  for (const auto& n : networks) {
    if (!n.is_object() || n.value("managed", nlohmann::json()) != true) continue;
    std::string name = Str(n, "name");
    if (name == want.bridge || !n.contains("config") || !n["config"].is_object()) continue;
    const auto& config = n["config"];
    std::string v6 = Str(config, "ipv6.address");
    if (auto i = net::Ipv6Interface::Parse(v6); i.ok()) {
      net::Ipv6Prefix theirs = i->Network();
      std::string clash;
      if (theirs.Overlaps(want.bridge_network)) clash = want.bridge_network.ToString() + " (host bridge)";
      for (const auto& r : want.routed) {
        if (clash.empty() && theirs.Overlaps(r)) clash = r.ToString();
      }
      if (!clash.empty()) {
        return "Incus network " + name + " already has " + v6 + ", which overlaps " + clash +
               " that this forest needs; " + Remedy(n);
      }
    }
    std::string v4 = Str(config, "ipv4.address");
    if (auto i = net::Ipv4Interface::Parse(v4); i.ok() && i->Overlaps(want.bridge_ipv4)) {
      return "Incus network " + name + " already has " + v4 + ", which overlaps " +
             want.bridge_ipv4.NetworkString() + " (host bridge IPv4) that this forest needs; " +
             Remedy(n);
    }
  }
  return std::nullopt;
}

}  // namespace forest::up

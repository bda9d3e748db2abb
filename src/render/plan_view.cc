#include "render/plan_view.h"

#include <sstream>

namespace forest::render {
namespace {

const std::vector<std::string>& AliasesOf(const naming::AliasTable& aliases, const std::string& canonical) {
  static const std::vector<std::string> kNone;
  auto it = aliases.aliases_of.find(canonical);
  return it == aliases.aliases_of.end() ? kNone : it->second;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out.empty() ? "-" : out;
}

nlohmann::json NodeJson(const plan::NodePlan& n, const naming::AliasTable& aliases) {
  nlohmann::json j;
  j["label"] = n.label;
  j["canonical_name"] = n.canonical_name;
  j["aliases"] = AliasesOf(aliases, n.canonical_name);
  j["parent"] = n.parent_canonical;
  j["depth"] = n.depth;
  j["slot"] = n.slot;
  j["prefix"] = n.prefix.ToString();
  j["local_region"] = n.local_region.ToString();
  j["lan"] = n.lan.ToString();
  j["node_address"] = n.node_address.ToString();
  j["uplink"] = n.uplink.ToString();
  j["uplink_range"] = n.uplink_range.ToString();
  j["clat_uplink"] = n.depth == 0 ? "" : n.clat_uplink.ToString();
  j["edge"] = n.edge;
  j["egress_ipv4"] = n.edge ? n.egress_ipv4.ToString() : "";
  j["max_children"] = n.max_children;
  j["privileged"] = n.node != nullptr && n.node->privileged;
  return j;
}

}  // namespace

naming::AliasTable PlanAliases(const plan::Plan& plan) { return naming::ComputeAliases(plan::PlanObjects(plan)); }

nlohmann::json PlanJson(const topology::Topology& topology, const plan::Plan& plan,
                        const naming::AliasTable& aliases) {
  nlohmann::json j;
  j["name"] = topology.name;
  j["host"] = {{"bridge", topology.host.bridge},
               {"ipv6", plan.host_bridge.ToString()},
               {"ipv4", topology.host.ipv4.ToString()},
               {"uplink_range", plan.host_uplink_range.ToString()}};
  j["helper"] = {{"name", topology.helper.name}, {"address", plan.helper_address.ToString()}};
  j["nat64_prefix"] = plan.nat64_prefix.ToString();
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : plan.nodes) j["nodes"].push_back(NodeJson(n, aliases));
  j["workloads"] = nlohmann::json::array();
  for (const auto& w : plan.workloads) {
    nlohmann::json wj;
    wj["name"] = w.name;
    wj["node"] = w.host_canonical;
    wj["canonical_name"] = w.canonical_name;
    wj["aliases"] = AliasesOf(aliases, w.canonical_name);
    wj["lan"] = w.lan.ToString();
    wj["services"] = nlohmann::json::array();
    for (const auto& s : w.service_names) {
      wj["services"].push_back({{"canonical_name", s}, {"aliases", AliasesOf(aliases, s)}});
    }
    j["workloads"].push_back(wj);
  }
  j["routes"] = nlohmann::json::array();
  std::vector<std::string> parents{""};
  for (const auto& n : plan.nodes) parents.push_back(n.canonical_name);
  for (const auto& at : parents) {
    for (const auto& r : plan.RoutesAt(at)) {
      j["routes"].push_back({{"at", at.empty() ? "host" : at},
                             {"destination", r.destination.ToString()},
                             {"via", r.via.ToString()},
                             {"child", r.child_canonical}});
    }
  }
  return j;
}

std::string PlanText(const topology::Topology& topology, const plan::Plan& plan,
                     const naming::AliasTable& aliases) {
  std::ostringstream out;
  size_t services = 0;
  for (const auto& w : plan.workloads) services += w.service_names.size();
  out << "forest " << topology.name << ": " << plan.nodes.size() << " node(s), " << plan.workloads.size()
      << " workload(s), " << services << " service name(s)\n";
  out << "host: bridge " << topology.host.bridge << " " << plan.host_bridge.ToString() << ", root uplinks "
      << plan.host_uplink_range.ToString() << ", helper " << topology.helper.name << " "
      << plan.helper_address.ToString() << ", NAT64 " << plan.nat64_prefix.ToString() << "\n";
  for (const auto& n : plan.nodes) {
    std::string pad(static_cast<size_t>(n.depth) * 4, ' ');
    std::string field = pad + "    ";
    out << "\n" << pad << n.label << "  " << n.prefix.ToString();
    if (n.depth == 0) out << (n.edge ? "  (root, edge)" : "  (root)");
    if (n.node != nullptr && n.node->privileged) out << "  (privileged: explicit opt-in)";
    out << "\n";
    out << field << "canonical  " << n.canonical_name << "\n";
    out << field << "aliases    " << Join(AliasesOf(aliases, n.canonical_name), " ") << "\n";
    out << field << "uplink     " << n.uplink.ToString() << "  (slot " << n.slot << " of "
        << (n.depth == 0 ? std::string("the host") : n.parent_canonical) << ")\n";
    out << field << "address    " << n.node_address.ToString() << "  (LAN " << n.lan.ToString() << ")\n";
    for (const auto& w : plan.workloads) {
      if (w.host_canonical != n.canonical_name) continue;
      out << field << "workload   " << w.name << "  (address from " << w.lan.ToString() << ")\n";
      std::string wfield = field + "    ";
      out << wfield << "canonical  " << w.canonical_name << "\n";
      out << wfield << "aliases    " << Join(AliasesOf(aliases, w.canonical_name), " ") << "\n";
      for (const auto& s : w.service_names) {
        out << wfield << "service    " << s << "\n";
        out << wfield << "  aliases  " << Join(AliasesOf(aliases, s), " ") << "\n";
      }
    }
  }
  return out.str();
}

}  // namespace forest::render

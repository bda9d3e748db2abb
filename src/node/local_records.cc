#include "node/local_records.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "naming/names.h"

namespace forest::node {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kSuffix = ".incus";

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// This node's own names, longest first: canonical, then alias candidates.
std::vector<std::string> SelfNames(const plan::NodePlan& self) {
  naming::ObjectName me{{self.label}, self.ancestors};
  std::vector<std::string> names = me.AliasCandidates();
  names.push_back(me.Canonical());
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return names;
}

// The label path in front of one of this node's names (or of .incus);
// "" when `name` is one of the node's own names.
Result<std::string> LabelPathOf(std::string_view raw, const plan::NodePlan& self, const char* what) {
  std::string name = naming::FoldName(raw);
  if (!EndsWith(name, kSuffix)) {
    return MakeError(std::string(what) + " " + naming::QuoteUntrusted(raw) +
                     ": expected a name under .incus, such as auth.app.incus or auth.app." +
                     self.canonical_name);
  }
  for (const auto& own : SelfNames(self)) {
    if (name == own) return std::string();
    if (EndsWith(name, "." + own)) return name.substr(0, name.size() - own.size() - 1);
  }
  return name.substr(0, name.size() - kSuffix.size());
}

Status ValidateLabelPath(std::string_view path, const char* what) {
  if (path.empty()) return MakeError(std::string(what) + ": empty label path");
  for (const auto& label : naming::SplitLabels(path)) {
    if (auto s = naming::ValidateLabel(label); !s.ok()) {
      return MakeError(std::string(what) + " " + naming::QuoteUntrusted(path) + ": " + s.error().message);
    }
  }
  return {};
}

}  // namespace

Result<std::vector<Service>> ParseServices(std::string_view json, const std::string& file) {
  Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(file + ": not JSON; expected {\"schema\":1,\"services\":[...]}");
  }
  // Not j.value("schema", 0): that throws when schema is not a number.
  if (auto schema = j.find("schema"); schema == j.end() || *schema != 1) {
    return MakeError(file + ": schema: expected 1");
  }
  if (!j.contains("services") || !j["services"].is_array()) {
    return MakeError(file + ": services: expected an array");
  }
  std::vector<Service> out;
  for (size_t i = 0; i < j["services"].size(); ++i) {
    const Json& e = j["services"][i];
    std::string where = file + ": services[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() ||
        (e.contains("target") && !e["target"].is_string())) {
      return MakeError(where + ": expected {\"name\": \"auth.app\", \"target\": \"app\"}");
    }
    Service s{e["name"].get<std::string>(), e.value("target", std::string())};
    FOREST_TRY(ValidateLabelPath(s.label_path, (where + ".name").c_str()));
    if (!s.target.empty()) {
      if (auto v = naming::ValidateLabel(s.target); !v.ok()) {
        return MakeError(where + ".target: " + v.error().message);
      }
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string SerializeServices(std::vector<Service> services) {
  std::sort(services.begin(), services.end());
  Json list = Json::array();
  for (const auto& s : services) list.push_back({{"name", s.label_path}, {"target", s.target}});
  return Json{{"schema", 1}, {"services", list}}.dump(2) + "\n";
}

Result<Service> ResolveService(std::string_view name, std::string_view target_name,
                               const plan::NodePlan& self) {
  FOREST_ASSIGN_OR_RETURN(std::string path, LabelPathOf(name, self, "--name"));
  if (path.empty()) {
    return MakeError("--name " + naming::QuoteUntrusted(name) + " is this node's own name (" +
                     self.canonical_name + "); a service needs a label in front, such as auth." +
                     self.label + ".incus");
  }
  FOREST_TRY(ValidateLabelPath(path, "--name"));
  FOREST_ASSIGN_OR_RETURN(std::string target, LabelPathOf(target_name, self, "--target-name"));
  if (target.find('.') != std::string::npos) {
    return MakeError("--target-name " + naming::QuoteUntrusted(target_name) +
                     ": expected a workload of this node (app.incus or app." + self.canonical_name +
                     ") or the node itself");
  }
  if (!target.empty()) FOREST_TRY(ValidateLabelPath(target, "--target-name"));
  Service s{path, target};
  std::string canonical = path + "." + self.canonical_name;
  if (auto v = naming::ValidateName(canonical); !v.ok()) {
    return MakeError("--name: " + canonical + ": " + v.error().message);
  }
  return s;
}

std::optional<std::string> ServiceShadows(const Service& s, const plan::NodePlan& self, const plan::Plan& plan,
                                          const std::map<std::string, std::string>& published) {
  std::vector<std::string> chain = {self.label};
  chain.insert(chain.end(), self.ancestors.begin(), self.ancestors.end());
  naming::ObjectName service{naming::SplitLabels(s.label_path), chain};
  std::vector<std::string> family = service.AliasCandidates();
  family.insert(family.begin(), service.Canonical());
  auto outside = [&](const std::string& name) { return !naming::IsAtOrUnder(name, self.canonical_name); };
  for (const auto& node : plan.nodes) {
    if (node.canonical_name == self.canonical_name) continue;
    naming::ObjectName n{{node.label}, node.ancestors};
    std::vector<std::string> names = n.AliasCandidates();
    for (const std::string& name : family) {
      if (name == node.canonical_name) return name + " is the canonical name of node " + node.canonical_name;
      if (outside(node.canonical_name) && std::find(names.begin(), names.end(), name) != names.end()) {
        return name + " is a name of node " + node.canonical_name + ", outside " + self.canonical_name + "'s subtree";
      }
    }
  }
  for (const std::string& name : family) {
    if (auto it = published.find(name); it != published.end() && outside(it->second)) {
      return name + " is published for " + it->second + ", outside " + self.canonical_name + "'s subtree";
    }
  }
  return std::nullopt;
}

std::vector<Service> WithService(std::vector<Service> services, const Service& s) {
  std::erase_if(services, [&](const Service& x) { return x.label_path == s.label_path; });
  services.push_back(s);
  std::sort(services.begin(), services.end());
  return services;
}

Result<std::vector<Service>> WithoutService(std::vector<Service> services, std::string_view label_path) {
  size_t n = std::erase_if(services, [&](const Service& x) { return x.label_path == label_path; });
  if (n == 0) return MakeError(std::string(label_path) + ": no such registration on this node");
  return services;
}

std::vector<LocalInstance> WorkloadsFromIncus(const Json& instances, const plan::NodePlan& self,
                                              const std::set<std::string>& child_labels) {
  std::vector<LocalInstance> out;
  if (!instances.is_array()) return out;
  for (const auto& i : instances) {
    if (!i.is_object() || !i.contains("name") || !i["name"].is_string()) continue;
    std::string name = i["name"].get<std::string>();
    if (child_labels.count(name) || !naming::ValidateLabel(name).ok()) continue;
    if (i.value("status", "") != "Running") continue;
    std::string project = i.contains("project") && i["project"].is_string() ? i["project"].get<std::string>() : "";
    LocalInstance w{name, {}, project.empty() ? "default" : project};
    const Json* net = nullptr;
    if (i.contains("state") && i["state"].is_object() && i["state"].contains("network") &&
        i["state"]["network"].is_object()) {
      net = &i["state"]["network"];
    }
    if (net) {
      for (const auto& [ifname, nic] : net->items()) {
        if (ifname == "lo" || !nic.is_object() || !nic.contains("addresses") || !nic["addresses"].is_array()) continue;
        for (const auto& a : nic["addresses"]) {
          if (!a.is_object() || a.value("family", "") != "inet6" || a.value("scope", "") != "global") continue;
          auto addr = net::Ipv6Address::Parse(a.value("address", ""));
          if (addr.ok() && self.lan.Contains(*addr)) w.addresses.push_back(*addr);
        }
      }
    }
    std::sort(w.addresses.begin(), w.addresses.end());
    w.addresses.erase(std::unique(w.addresses.begin(), w.addresses.end()), w.addresses.end());
    out.push_back(std::move(w));
  }
  // One name, one workload: the default project's instance wins over a
  // namesake in another project (an agent's restricted project, say).
  auto rank = [](const LocalInstance& w) { return w.project == "default" ? 0 : 1; };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return std::tuple(a.name, rank(a), a.project) < std::tuple(b.name, rank(b), b.project);
  });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name == b.name; }),
            out.end());
  return out;
}

OwnRecords ComputeOwnRecords(const plan::NodePlan& self, const std::vector<LocalInstance>& workloads,
                             const std::vector<Service>& services) {
  OwnRecords out;
  std::map<std::string, const LocalInstance*> by_name;
  out.records.push_back({self.canonical_name, self.node_address});
  for (const auto& w : workloads) {
    by_name[w.name] = &w;
    if (w.addresses.empty()) out.waiting.push_back(w.name);
    for (const auto& a : w.addresses) out.records.push_back({w.name + "." + self.canonical_name, a});
  }
  for (const auto& s : services) {
    std::string name = s.label_path + "." + self.canonical_name;
    if (s.target.empty()) {
      out.records.push_back({name, self.node_address});
      continue;
    }
    auto it = by_name.find(s.target);
    if (it == by_name.end() || it->second->addresses.empty()) {
      out.waiting.push_back(s.label_path + " → " + s.target);
      continue;
    }
    for (const auto& a : it->second->addresses) out.records.push_back({name, a});
  }
  std::sort(out.records.begin(), out.records.end());
  out.records.erase(std::unique(out.records.begin(), out.records.end()), out.records.end());
  return out;
}

}  // namespace forest::node

#include "up/sweep.h"

#include <map>

namespace forest::up {

namespace {

using Json = nlohmann::json;

// Incus names per-instance chains `<prefix>.<instance key>.<device>`, the key
// being the instance name in the default project and `<project>_<name>`
// elsewhere (instance names never hold `_` or `.`).
std::string InstanceKey(const std::string& project, const std::string& name) {
  return project.empty() || project == "default" ? name : project + "_" + name;
}

std::string ProjectOfKey(const std::string& key) {
  auto u = key.rfind('_');
  return u == std::string::npos ? "default" : key.substr(0, u);
}

// "/1.0/instances/c0-2?project=p" → key.
std::string KeyOfResource(const std::string& url) {
  const std::string prefix = "/1.0/instances/";
  if (url.rfind(prefix, 0) != 0) return "";
  std::string rest = url.substr(prefix.size());
  std::string name = rest.substr(0, rest.find_first_of("/?"));
  std::string project = "default";
  if (auto p = rest.find("project="); p != std::string::npos) {
    project = rest.substr(p + 8);
    project = project.substr(0, project.find('&'));
  }
  return InstanceKey(project, name);
}

// Names Incus or the kernel gave; anything else is not ours to touch.
bool SafeName(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

struct Instance {
  std::string status;
  std::vector<std::string> host_names;
};

}  // namespace

SweepPlan PlanSweep(const SweepInput& in) {
  SweepPlan plan;
  auto in_scope = [&](const std::string& project) {
    return in.projects.empty() || in.projects.count(project.empty() ? "default" : project);
  };
  std::map<std::string, Instance> instances;  // key → what it is
  if (in.instances.is_array()) {
    for (const Json& i : in.instances) {
      if (!i.is_object() || !i.value("name", Json()).is_string()) continue;
      std::string project = i.value("project", std::string("default"));
      if (!in_scope(project)) continue;
      Instance inst;
      inst.status = i.value("status", std::string());
      const Json& cfg = i.contains("config") && i["config"].is_object() ? i["config"] : Json::object();
      for (const auto& [k, v] : cfg.items()) {
        if (k.rfind("volatile.", 0) == 0 && k.size() > 19 && k.compare(k.size() - 10, 10, ".host_name") == 0 &&
            v.is_string()) {
          inst.host_names.push_back(v.get<std::string>());
        }
      }
      instances[InstanceKey(project, i["name"].get<std::string>())] = std::move(inst);
    }
  }
  // An instance with a running operation (starting, stopping) is left alone:
  // what looks stale may be its start in progress.
  std::set<std::string> busy;
  if (in.operations.is_object()) {
    for (const auto& [state, ops] : in.operations.items()) {
      if (!ops.is_array()) continue;
      for (const Json& op : ops) {
        if (!op.is_object() || !op.contains("resources") || !op["resources"].is_object()) continue;
        const Json& res = op["resources"];
        if (!res.contains("instances") || !res["instances"].is_array()) continue;
        for (const Json& url : res["instances"]) {
          if (url.is_string()) busy.insert(KeyOfResource(url.get<std::string>()));
        }
      }
    }
  }
  std::set<std::string> links;
  if (in.links.is_array()) {
    for (const Json& l : in.links) {
      if (l.is_object() && l.value("ifname", Json()).is_string()) links.insert(l["ifname"].get<std::string>());
    }
  }
  auto idle_and_down = [&](const std::string& key) {
    auto it = instances.find(key);
    return !busy.count(key) && (it == instances.end() || it->second.status != "Running");
  };

  for (const auto& [key, inst] : instances) {
    if (!idle_and_down(key)) continue;
    for (const auto& h : inst.host_names) {
      if (!links.count(h) || !SafeName(h)) continue;
      plan.links.push_back(h);
      plan.log.push_back("removed " + h + ", left behind by a failed start of " + key +
                         " (with its routes and neighbour entries)");
    }
  }

  // Per-instance chains of Incus's own tables.
  std::map<std::string, std::string> chain_key;  // "family table chain" → instance key
  const Json& items = in.nft.is_object() && in.nft.contains("nftables") ? in.nft["nftables"] : Json::array();
  if (!items.is_array()) return plan;
  auto chain_id = [](const Json& c, const char* chain_field) {
    return c.value("family", std::string()) + " " + c.value("table", std::string()) + " " +
           c.value(chain_field, std::string());
  };
  for (const Json& item : items) {
    if (!item.is_object() || !item.contains("chain")) continue;
    const Json& c = item["chain"];
    std::string family = c.value("family", std::string()), table = c.value("table", std::string());
    std::string name = c.value("name", std::string());
    if (table != "incus" || !SafeName(name)) continue;
    bool ours = (family == "inet" && name.rfind("prert.", 0) == 0) ||
                (family == "bridge" && (name.rfind("in.", 0) == 0 || name.rfind("fwd.", 0) == 0));
    auto first = name.find('.'), last = name.rfind('.');
    if (!ours || first == last) continue;
    std::string key = name.substr(first + 1, last - first - 1);
    if (key.empty() || key.find('.') != std::string::npos || !in_scope(ProjectOfKey(key))) continue;
    if (idle_and_down(key)) {
      plan.chains.push_back({family, table, name, 0});
      plan.log.push_back("removed nft chain " + family + " " + table + " " + name + " of " + key +
                         (instances.count(key) ? ", which does not run" : ", which no longer exists"));
    } else if (!busy.count(key)) {
      chain_key[chain_id(c, "name")] = key;
    }
  }
  // In a running instance's chains: rules naming an interface that is gone
  // (nft prints a vanished iif as its old index).
  for (const Json& item : items) {
    if (!item.is_object() || !item.contains("rule")) continue;
    const Json& r = item["rule"];
    auto owner = chain_key.find(chain_id(r, "chain"));
    if (owner == chain_key.end() || !r.contains("expr") || !r["expr"].is_array()) continue;
    bool dead = false;
    for (const Json& e : r["expr"]) {
      if (!e.is_object() || !e.contains("match")) continue;
      const Json& m = e["match"];
      if (!m.contains("left") || !m["left"].is_object() || !m["left"].contains("meta")) continue;
      std::string key = m["left"]["meta"].value("key", std::string());
      if (key != "iif" && key != "oif" && key != "iifname" && key != "oifname") continue;
      const Json& right = m.value("right", Json());
      if (right.is_number() || (right.is_string() && !links.count(right.get<std::string>()))) dead = true;
    }
    if (!dead || !r.value("handle", Json()).is_number_integer()) continue;
    plan.rules.push_back({r.value("family", std::string()), r.value("table", std::string()),
                          r.value("chain", std::string()), r["handle"].get<long>()});
    plan.log.push_back("removed a rule of " + owner->second + " for an interface that is gone (" +
                       r.value("chain", std::string()) + " handle " + std::to_string(r["handle"].get<long>()) + ")");
  }
  return plan;
}

std::string NftBatch(const SweepPlan& plan) {
  std::string out;
  for (const auto& r : plan.rules) {
    out += "delete rule " + r.family + " " + r.table + " " + r.chain + " handle " + std::to_string(r.handle) + "\n";
  }
  for (const auto& c : plan.chains) {
    out += "flush chain " + c.family + " " + c.table + " " + c.chain + "\n";
    out += "delete chain " + c.family + " " + c.table + " " + c.chain + "\n";
  }
  return out;
}

}  // namespace forest::up

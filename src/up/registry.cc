#include "up/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "base/strings.h"
#include "render/writer.h"

namespace forest::up {

std::string StateRoot() {
  const char* d = std::getenv("FOREST_STATE_DIR");
  return d && *d ? d : "/var/lib/forest";
}

std::string ForestStateDir(const std::string& name) { return StateRoot() + "/" + name; }

Result<std::vector<Known>> KnownForests() {
  std::vector<Known> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(StateRoot(), ec)) {
    std::string topo = (e.path() / "topology.yaml").string();
    if (!std::filesystem::exists(topo)) continue;
    FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(e.path().string()));
    FOREST_ASSIGN_OR_RETURN(auto loaded, LoadAndPlan(topo, slots));
    out.push_back({e.path().string(), std::move(loaded)});
  }
  std::sort(out.begin(), out.end(), [](const Known& a, const Known& b) { return a.dir < b.dir; });
  return out;
}

Result<Known> FindForest(const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(auto all, KnownForests());
  std::vector<std::string> names;
  for (auto& k : all) {
    names.push_back(k.loaded->topology.name);
    if (!name.empty() && k.loaded->topology.name == name) return std::move(k);
  }
  if (name.empty() && all.size() == 1) return std::move(all[0]);
  if (all.empty()) {
    return MakeError("no forest brought up here (" + StateRoot() + "); run `forest up FILE` first");
  }
  return MakeError(
      (name.empty() ? std::string("several forests here") : "no forest named '" + name + "' here") + " (" +
      JoinComma(names) + "); name one");
}

Result<Found> FindNode(const std::vector<Known>& forests, const std::string& name) {
  std::vector<Found> hits;
  for (const auto& k : forests) {
    for (const auto& n : k.loaded->plan.nodes) {
      if (n.canonical_name == name || n.label == name || n.canonical_name == name + ".incus") {
        Found f{&k, &n, nullptr, {}};
        f.path.assign(n.ancestors.rbegin(), n.ancestors.rend());
        f.path.push_back(n.label);
        hits.push_back(f);
      }
    }
    for (const auto& w : k.loaded->plan.workloads) {
      if (w.canonical_name == name || w.name == name || w.canonical_name == name + ".incus") {
        const plan::NodePlan* host = k.loaded->plan.FindNode(w.host_canonical);
        Found f{&k, nullptr, &w, {}};
        f.path.assign(host->ancestors.rbegin(), host->ancestors.rend());
        f.path.push_back(host->label);
        f.path.push_back(w.name);
        hits.push_back(f);
      }
    }
  }
  if (hits.size() == 1) return hits[0];
  if (hits.empty()) {
    return MakeError("no node or workload named '" + name + "' in the forests brought up here (" +
                     StateRoot() + "); `forest status` lists them");
  }
  std::string which;
  for (const auto& h : hits) {
    which += (which.empty() ? "" : ", ") + (h.node ? h.node->canonical_name : h.workload->canonical_name);
  }
  return MakeError("'" + name + "' is ambiguous: " + which + "; use the canonical name");
}

// Finds NODE among the forests brought up here; `forests` keeps them alive.
Result<Found> Locate(const std::string& node, std::vector<Known>& forests) {
  FOREST_ASSIGN_OR_RETURN(forests, KnownForests());
  return FindNode(forests, node);
}

incus::Client ForestIncus(const topology::Topology& t) {
  return incus::Client::Local(render::ProjectName(t));
}

}  // namespace forest::up

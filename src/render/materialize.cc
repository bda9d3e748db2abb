#include "render/materialize.h"

#include <nlohmann/json.hpp>

#include "base/version.h"
#include "render/embedded.h"
#include "render/plan_view.h"
#include "render/sha256.h"
#include "render/template.h"

namespace forest::render {
namespace {

// The embedded template at `path`, expanded with `vars`.
Result<std::string> Render(const std::string& path, const Vars& vars) {
  for (const auto& f : EmbeddedTemplates()) {
    if (f.path == path) return Expand(f.contents, vars, "templates/" + path);
  }
  return MakeError("templates/" + path + ": no such embedded template");
}

std::string EnvLines(const std::map<std::string, std::string>& env) {
  std::string out;
  for (const auto& [k, v] : env) out += k + "=" + v + "\n";
  return out;
}

Vars NodeVars(const topology::Topology& t, const plan::Plan& plan, const plan::NodePlan& n) {
  return {{"version", kVersion},
          {"role", n.depth == 0 ? "root" : "recursive-child"},
          {"edge", n.edge ? "1" : "0"},
          {"label", n.label},
          {"canonical_name", n.canonical_name},
          {"parent_canonical", n.parent_canonical},
          {"depth", std::to_string(n.depth)},
          {"slot", std::to_string(n.slot)},
          {"prefix", n.prefix.ToString()},
          {"local_region", n.local_region.ToString()},
          {"lan", n.lan.ToString()},
          {"node_address", n.node_address.ToString()},
          {"uplink", n.uplink.ToString()},
          {"uplink_range", n.uplink_range.ToString()},
          {"clat_uplink", n.depth == 0 ? "" : n.clat_uplink.ToString()},
          {"helper_address", plan.helper_address.ToString()},
          {"nat64_prefix", plan.nat64_prefix.ToString()},
          {"max_children", std::to_string(n.max_children)}};
}

Vars ForestVars(const topology::Topology& t, const plan::Plan& plan) {
  std::string roots;
  for (const auto& n : plan.nodes) {
    if (n.depth != 0) continue;
    if (!roots.empty()) roots += ",";
    roots += n.canonical_name + "=" + n.prefix.ToString() + "@" + n.uplink.ToString();
  }
  return {{"version", kVersion},
          {"forest_name", t.name},
          {"project", ProjectName(t)},
          {"helper_name", t.helper.name},
          {"helper_address", plan.helper_address.ToString()},
          {"cache_address", t.helper.cache_address.ToString()},
          {"bridge", t.host.bridge},
          {"bridge_address", plan.host_bridge.address.ToString()},
          {"bridge_prefix_length", std::to_string(plan.host_bridge.length)},
          {"host_uplink_range", plan.host_uplink_range.ToString()},
          {"nat64_prefix", plan.nat64_prefix.ToString()},
          {"roots", roots}};
}

// rendered/: templates expanded into concrete cloud-init, network and env files.
Result<std::map<std::string, std::string>> RenderAll(const topology::Topology& t, const plan::Plan& plan,
                                                     bool enable_cache) {
  std::map<std::string, std::string> r;
  Vars fv = ForestVars(t, plan);
  FOREST_ASSIGN_OR_RETURN(r["helper/forestd.env"], Render("forestd/helper.env.tmpl", fv));
  fv["helper_env_indented"] = Indent(r["helper/forestd.env"], 6);
  FOREST_ASSIGN_OR_RETURN(r["helper/cloud-init.yaml"], Render("cloud-init/helper.yaml.tmpl", fv));
  FOREST_ASSIGN_OR_RETURN(r["helper/network-config.yaml"], Render("cloud-init/helper-network.yaml.tmpl", fv));
  if (enable_cache) {
    FOREST_ASSIGN_OR_RETURN(r["cache/cloud-init.yaml"], Render("cloud-init/cache.yaml.tmpl", fv));
    FOREST_ASSIGN_OR_RETURN(r["cache/network-config.yaml"], Render("cloud-init/cache-network.yaml.tmpl", fv));
  }
  FOREST_ASSIGN_OR_RETURN(r["workload/cloud-init.yaml"], Render("cloud-init/workload.yaml.tmpl", fv));
  for (const auto& n : plan.nodes) {
    Vars nv = NodeVars(t, plan, n);
    std::string dir = "nodes/" + n.canonical_name + "/";
    FOREST_ASSIGN_OR_RETURN(r[dir + "forestd.env"], Render("forestd/node.env.tmpl", nv));
    nv["node_env_indented"] = Indent(r[dir + "forestd.env"], 6);
    FOREST_ASSIGN_OR_RETURN(r[dir + "cloud-init.yaml"], Render("cloud-init/node.yaml.tmpl", nv));
  }
  return r;
}

nlohmann::json Metadata(const topology::Topology& t, const plan::Plan& plan, const GenerateOptions& o,
                        const std::vector<IncusProfile>& roles, const std::map<std::string, std::string>& artifacts) {
  nlohmann::json j;
  j["forest_version"] = kVersion;
  j["materialization"] = o.materialization;
  j["name"] = t.name;
  j["project"] = ProjectName(t);
  j["inputs"] = {{"topology", {{"file", "topology.yaml"}, {"sha256", Sha256Hex(o.topology_text)}}},
                 {"enable_cache", o.enable_cache}};
  j["nodes"] = nlohmann::json::array();
  j["warnings"] = nlohmann::json::array();
  for (const auto& n : plan.nodes) {
    j["nodes"].push_back({{"canonical_name", n.canonical_name},
                          {"profiles", {n.depth == 0 ? "forest-root" : "forest-recursive-child", NodeProfileName(n)}}});
    if (n.node->privileged) {
      j["warnings"].push_back(n.canonical_name + " runs privileged (security.privileged=true): explicit opt-in in the topology");
    }
    if (n.node->kind == topology::NodeKind::kVm) {
      j["warnings"].push_back(n.canonical_name + " is a VM node: it needs /dev/kvm on the machine that runs it");
    }
  }
  j["workloads"] = nlohmann::json::array();
  for (const auto& w : plan.workloads) j["workloads"].push_back(w.canonical_name);
  j["profiles"] = nlohmann::json::array();
  for (const auto& p : roles) j["profiles"].push_back(p.name);
  j["artifacts"] = artifacts;
  return j;
}

}  // namespace

// A node's profile plus the relays for its descendants' shares.
IncusProfile NodeProfileWithRelays(const topology::Topology& t, const plan::Plan& plan, const plan::NodePlan& n,
                                   const std::map<std::string, std::string>& rendered) {
  IncusProfile p = NodeProfile(t, n, rendered.at("nodes/" + n.canonical_name + "/cloud-init.yaml"));
  std::string suffix = "." + n.canonical_name;
  for (const auto& m : plan.nodes) {
    bool below = m.canonical_name.size() > suffix.size() &&
                 m.canonical_name.compare(m.canonical_name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (below && !m.node->shares.empty()) AddShareRelays(p, n, m);
  }
  return p;
}

std::string ProjectName(const topology::Topology& topology) { return "forest-" + topology.name; }

Result<std::vector<IncusProfile>> AllProfiles(const topology::Topology& t, const plan::Plan& plan, bool enable_cache) {
  FOREST_ASSIGN_OR_RETURN(auto rendered, RenderAll(t, plan, enable_cache));
  std::vector<IncusProfile> out = RoleProfiles(t, plan, enable_cache, rendered);
  for (const auto& n : plan.nodes) {
    out.push_back(NodeProfileWithRelays(t, plan, n, rendered));
  }
  return out;
}

Result<FileTree> Materialize(const topology::Topology& t, const plan::Plan& plan, const GenerateOptions& o) {
  FileTree tree;
  tree["topology.yaml"] = {o.topology_text, 0644};

  // The command that reproduces this tree from the copy of its input.
  std::string command = "forest generate " + o.materialization + " --topology topology.yaml";
  if (o.enable_cache) command += " --enable-cache";
  tree["forest.command"] = {command + "\n", 0644};

  for (const auto& f : EmbeddedTemplates()) tree["templates/" + std::string(f.path)] = {std::string(f.contents), 0644};

  FOREST_ASSIGN_OR_RETURN(auto rendered, RenderAll(t, plan, o.enable_cache));
  for (const auto& [path, text] : rendered) tree["rendered/" + path] = {text, 0644};

  Vars fv = ForestVars(t, plan);
  FOREST_ASSIGN_OR_RETURN(tree["scripts/verify.sh"].contents, Render("scripts/verify.sh.tmpl", fv));
  tree["scripts/verify.sh"].mode = 0755;
  FOREST_ASSIGN_OR_RETURN(tree["scripts/import-profiles.sh"].contents, Render("scripts/import-profiles.sh.tmpl", fv));
  tree["scripts/import-profiles.sh"].mode = 0755;

  // artifacts/: the runtime bundle with its hashes.
  std::map<std::string, std::string> hashes;
  std::string sums;
  for (const auto& [path, bytes] : o.runtime_files) {
    std::string rel = "runtime/" + path;
    tree["artifacts/" + rel] = {bytes, 0755};
    hashes[rel] = Sha256Hex(bytes);
    sums += hashes[rel] + "  " + rel + "\n";
  }
  tree["artifacts/SHA256SUMS"] = {sums, 0644};

  std::vector<IncusProfile> roles = RoleProfiles(t, plan, o.enable_cache, rendered);
  for (const auto& p : roles) tree["final/profiles/" + p.name + ".yaml"] = {ProfileYaml(p), 0644};
  for (const auto& n : plan.nodes) {
    IncusProfile p = NodeProfileWithRelays(t, plan, n, rendered);
    tree["final/nodes/" + p.name + ".yaml"] = {ProfileYaml(p), 0644};
  }

  std::map<std::string, std::string> env = {
      {"FOREST_VERSION", kVersion},
      {"FOREST_NAME", t.name},
      {"FOREST_MATERIALIZATION", o.materialization},
      {"FOREST_PROJECT", ProjectName(t)},
      {"FOREST_TOPOLOGY_SHA256", Sha256Hex(o.topology_text)},
      {"FOREST_HOST_BRIDGE", t.host.bridge},
      {"FOREST_HOST_BRIDGE_IPV6", plan.host_bridge.ToString()},
      {"FOREST_HOST_UPLINK_RANGE", plan.host_uplink_range.ToString()},
      {"FOREST_HELPER_ADDRESS", plan.helper_address.ToString()},
      {"FOREST_NAT64_PREFIX", plan.nat64_prefix.ToString()},
      {"FOREST_ENABLE_CACHE", o.enable_cache ? "1" : "0"},
  };
  tree["forest.env"] = {EnvLines(env), 0644};
  tree["forest.json"] = {Metadata(t, plan, o, roles, hashes).dump(2) + "\n", 0644};
  tree["plan.json"] = {PlanJson(t, plan, PlanAliases(plan)).dump(2) + "\n", 0644};
  return tree;
}

}  // namespace forest::render

#include "up/level.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "api/paths.h"
#include "image/image.h"
#include "incus/api.h"
#include "incus/exec_stream.h"
#include "render/materialize.h"
#include "up/boot.h"
#include "up/host.h"
#include "up/image_server.h"
#include "up/install.h"
#include "up/reach.h"
#include "up/shares.h"
#include "up/storage.h"
#include "up/sweep_run.h"
#include "up/xlat_apply.h"
#include "xlat/xlat.h"

namespace forest::up {

using Json = nlohmann::json;

namespace {

std::string Bracket(const net::Ipv6Address& a) { return "[" + a.ToString() + "]"; }

incus::Profile ToIncus(const render::IncusProfile& p) { return {p.name, p.description, p.config, p.devices}; }

// The host gets the helper, cache and root profiles; a node gets the workload
// and recursive-child profiles (its LAN bridge exists only there).
Status LoadProfiles(Level& l, const std::vector<std::string>& node_canonicals, bool host_level) {
  const std::set<std::string> host_roles = {"forest-helper", "forest-cache", "forest-root"};
  const std::set<std::string> node_roles = {"forest-workload", "forest-recursive-child"};
  FOREST_ASSIGN_OR_RETURN(auto all, render::AllProfiles(l.t, l.plan, false));
  std::set<std::string> wanted;
  for (const auto& n : l.plan.nodes) {
    if (std::find(node_canonicals.begin(), node_canonicals.end(), n.canonical_name) !=
        node_canonicals.end()) {
      wanted.insert(render::NodeProfileName(n));
    }
  }
  for (const auto& p : all) {
    bool is_node = p.name.rfind("forest-node_", 0) == 0;
    if (is_node && !wanted.count(p.name)) continue;
    if (!is_node && !(host_level ? host_roles : node_roles).count(p.name)) continue;
    FOREST_ASSIGN_OR_RETURN(bool changed, incus::PutProfile(l.c, ToIncus(p)));
    if (changed) l.Changed("profile " + p.name + " loaded");
  }
  return {};
}

}  // namespace

Status EnsureRunning(Level& l, const incus::InstanceSpec& spec) {
  FOREST_ASSIGN_OR_RETURN(auto inst, incus::GetInstance(l.c, spec.name));
  if (!inst) {
    l.Say("creating " + spec.name + " …");
    FOREST_TRY(incus::CreateInstance(l.c, spec));
    l.Changed("created " + spec.name);
  } else {
    std::vector<std::string> have = (*inst)["profiles"].get<std::vector<std::string>>();
    if (have != spec.profiles) {
      FOREST_TRY(incus::PatchInstance(l.c, spec.name, {{"profiles", spec.profiles}}));
      l.Changed("profiles of " + spec.name + " set to the topology's");
    }
    Json drift = Json::object();
    for (const auto& [k, v] : spec.config) {
      if ((*inst)["config"].value(k, "") != v) drift[k] = v;
    }
    if (!drift.empty()) {
      FOREST_TRY(incus::PatchInstance(l.c, spec.name, {{"config", drift}}));
      FOREST_ASSIGN_OR_RETURN(std::string st, incus::InstanceStatus(l.c, spec.name));
      if (st == "Running") FOREST_TRY(incus::SetInstanceState(l.c, spec.name, "restart"));
      l.Changed("config of " + spec.name + " updated (" + drift.dump() + "), restarted");
    }
  }
  FOREST_ASSIGN_OR_RETURN(std::string status, incus::InstanceStatus(l.c, spec.name));
  if (status != "Running") {
    FOREST_TRY(incus::SetInstanceState(l.c, spec.name, "start"));
    l.Changed("started " + spec.name);
  }
  return {};
}

namespace {

// Brings up one hierarchy-aware child of this level and, through the forest
// binary inside it, everything below it.
Status ConvergeChild(Level& l, const plan::NodePlan& child, const std::string& image,
                     const ParentInfo& parent) {
  auto start = std::chrono::steady_clock::now();
  incus::InstanceSpec spec;
  spec.name = child.label;
  spec.image_fingerprint = image;
  spec.profiles = {child.depth == 0 ? "forest-root" : "forest-recursive-child",
                   render::NodeProfileName(child)};
  spec.description = "forest node " + child.canonical_name;
  if (child.node->privileged) {
    l.Say("warning: " + child.canonical_name +
          " runs privileged (security.privileged=true), an explicit opt-in in the topology");
  }
  if (child.depth > 0) {
    FOREST_ASSIGN_OR_RETURN(std::string idmap, ShareIdmap(l, child));
    if (!idmap.empty()) spec.config["raw.idmap"] = idmap;
  }
  FOREST_TRY(EnsureRunning(l, spec));
  // Not before the boot: while systemd sets itself up incusd loses execs
  // ("Failed to retrieve PID of executing child process"), also after one
  // ran (tried: bench/disk.sh's 17th jail in a fresh-clone run).
  FOREST_TRY(WaitBooted(l.c, child.label));
  FOREST_TRY(InstallForest(l, child.label, child.canonical_name, parent));
  FOREST_TRY(AgentRelay(l, child));
  l.Say(child.canonical_name + ": converging inside …");
  // node-up's progress streams up line by line while it runs.
  std::string partial, err;
  auto line_out = [&](const std::string& line) {
    if (line.rfind("changes: ", 0) == 0) {
      l.changes += std::atoi(line.c_str() + 9);
    } else {
      l.Say("  " + child.label + ": " + line);
    }
  };
  FOREST_ASSIGN_OR_RETURN(
      int rc, incus::ExecStream(l.c, l.c.SocketPath(), child.label,
                                {kBinaryPath, "node-up", "--self", child.canonical_name, "--dir", kNodeDir},
                                {}, [&](int fd, std::string_view bytes) {
                                  if (fd == 2) {
                                    err.append(bytes);
                                    return;
                                  }
                                  partial.append(bytes);
                                  for (auto nl = partial.find('\n'); nl != std::string::npos;
                                       nl = partial.find('\n')) {
                                    line_out(partial.substr(0, nl));
                                    partial.erase(0, nl + 1);
                                  }
                                }));
  if (!partial.empty()) line_out(partial);
  if (rc != 0) {
    return MakeError(child.canonical_name + ": node-up exited " + std::to_string(rc) + ":\n" + err);
  }
  // The subtree's bring-up time, for bench/up_and_exec.sh.
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", secs);
  l.Say("timing: " + child.canonical_name + " " + buf + "s (this node and everything below it)");
  return {};
}

// The fingerprint of an image the topology names (alias or fingerprint)
// in this level's Incus; `what` and `pos` place the error.
Result<std::string> NamedImage(Level& l, const std::string& name, const topology::SourcePos& pos,
                               const std::string& what, const std::string& where) {
  FOREST_ASSIGN_OR_RETURN(auto target, incus::ResolveImageAlias(l.c, name));
  if (target) return *target;
  FOREST_ASSIGN_OR_RETURN(bool is_fp, incus::ImageExists(l.c, name));
  if (is_fp) return name;
  return MakeError(l.t.file + ":" + std::to_string(pos.line) + ": " + what + ": image '" + name +
                   "' is not in the Incus of " + where +
                   " (it has forest-node and forest-workload); import it there or use one of those");
}

Status ConvergeWorkloads(Level& l, const std::string& host_canonical, const std::string& image) {
  for (const auto& w : l.plan.workloads) {
    if (w.host_canonical != host_canonical) continue;
    // The topology may name another image (an alias or fingerprint known to
    // this level's Incus); forest-workload is the one `up` brings.
    std::string fp = image;
    const plan::NodePlan* host = l.plan.FindNode(host_canonical);
    for (const auto& tw : host->node->workloads) {
      if (tw.name != w.name || tw.image == image::Alias(image::Kind::kWorkload)) continue;
      FOREST_ASSIGN_OR_RETURN(fp, NamedImage(l, tw.image, tw.pos, "workload " + w.name, host_canonical));
    }
    incus::InstanceSpec spec;
    spec.name = w.name;
    spec.image_fingerprint = fp;
    spec.profiles = {"forest-workload"};
    spec.description = "forest workload " + w.canonical_name;
    FOREST_TRY(EnsureRunning(l, spec));
    FOREST_TRY(WaitBooted(l.c, w.name));
    FOREST_TRY(PushAuthorizedKeys(l, w.name));
  }
  return {};
}

std::vector<const plan::NodePlan*> ChildrenOf(const plan::Plan& plan, const std::string& parent) {
  std::vector<const plan::NodePlan*> out;
  for (const auto& n : plan.nodes) {
    if (n.parent_canonical == parent) out.push_back(&n);
  }
  return out;
}

Status ConvergeChildren(Level& l, const std::string& self_canonical, const ParentInfo& me) {
  std::vector<std::string> names;
  for (const auto* n : ChildrenOf(l.plan, self_canonical)) names.push_back(n->canonical_name);
  FOREST_TRY(LoadProfiles(l, names, false));
  FOREST_TRY(ConvergeWorkloads(l, self_canonical, me.workload_image));
  for (const auto* n : ChildrenOf(l.plan, self_canonical)) {
    FOREST_TRY(ConvergeChild(l, *n, me.node_image, me));
  }
  return {};
}

// Extra dnsmasq lines for a node's LAN: every name goes to the node's forestd,
// and router advertisements name the LAN's global address as DNS server
// (dnsmasq listens there; its link-local address may not be bound yet).
std::string NodeDnsmasq(const plan::NodePlan& self) {
  std::string addr = self.node_address.ToString();
  std::string forestd = addr + "#" + std::to_string(api::kNodeDnsPort);
  return "no-resolv\nserver=/incus/" + forestd + "\nserver=" + forestd +
         "\ndhcp-option=option6:dns-server,[" + addr + "]";
}

}  // namespace

Status UpHost(incus::Client& host, const topology::Topology& t, const plan::Plan& plan, const Options& o) {
  Level l{host, t, plan, o, RunnerOf(o)};
  incus::Client global = host.WithProject("");
  Level g{global, t, plan, o, RunnerOf(o)};
  FOREST_TRY(EnsureStoragePool(g, false));
  FOREST_TRY(EnsureHostBridge(g));
  if (o.guard_uplink) FOREST_TRY(GuardUplink(g));
  FOREST_ASSIGN_OR_RETURN(bool had_project, incus::ProjectExists(global, host.project()));
  FOREST_TRY(incus::EnsureProject(
      global, host.project(),
      {{"features.images", "true"}, {"features.profiles", "true"}, {"features.storage.volumes", "true"}},
      "forest " + t.name));
  if (!had_project) g.Changed("created project " + host.project());
  // What a failed start of a root left (veths, routes, nft rules) would make
  // its next start fail: swept first (up/sweep.h).
  FOREST_ASSIGN_OR_RETURN(auto swept, SweepLocal(host, {host.project()}, l.run));
  for (const auto& line : swept) g.Changed(line);
  FOREST_ASSIGN_OR_RETURN(ImageServer images, EnsureHttpsAddress(g, plan.host_bridge.address, true));

  ParentInfo me;
  auto progress = [&](const std::string& s) { l.Say(s); };
  FOREST_ASSIGN_OR_RETURN(me.node_image, image::EnsureImported(host, image::Kind::kNode, progress));
  FOREST_ASSIGN_OR_RETURN(me.workload_image, image::EnsureImported(host, image::Kind::kWorkload, progress));
  me.server = images.Url();
  FOREST_ASSIGN_OR_RETURN(me.certificate, ServerCertificate(host));
  me.project = host.project();

  // Helper first: the roots' publication and DNS point at it.
  std::vector<std::string> roots;
  for (const auto& n : plan.nodes) {
    if (n.depth == 0) roots.push_back(n.canonical_name);
  }
  FOREST_TRY(LoadProfiles(l, roots, true));
  incus::InstanceSpec helper;
  helper.name = t.helper.name;
  helper.image_fingerprint = me.workload_image;
  helper.profiles = {"forest-helper"};
  helper.description = "forest helper";
  FOREST_TRY(EnsureRunning(l, helper));
  FOREST_TRY(InstallHelper(l));
  for (const auto& n : plan.nodes) {
    if (n.depth != 0) continue;
    if (!o.only_roots.empty() &&
        std::find(o.only_roots.begin(), o.only_roots.end(), n.label) == o.only_roots.end()) {
      continue;
    }
    std::string image = me.node_image;
    if (!n.node->image.empty()) {
      FOREST_ASSIGN_OR_RETURN(image, NamedImage(l, n.node->image, n.node->pos, "root " + n.label,
                                                "the host (project " + host.project() + ")"));
    }
    FOREST_TRY(ConvergeChild(l, n, image, me));
  }
  l.changes += g.changes;
  l.Say(l.changes == 0 ? "up to date: nothing changed"
                       : "converged: " + std::to_string(l.changes) + " change(s)");
  return {};
}

Status UpNode(incus::Client& local, const topology::Topology& t, const plan::Plan& plan,
              const plan::NodePlan& self, const ParentInfo& parent, const Options& o) {
  Level l{local, t, plan, o, RunnerOf(o)};
  // The node's own preparation: forwarding, cgroup fix-up, subordinate ids;
  // at every boot too, before Incus starts (up/boot.h).
  auto prepared = RunPrepare(false, l.run);
  if (!prepared.ok()) return prepared.error().Wrap(self.canonical_name);
  for (const auto& line : *prepared) l.Changed(line);
  FOREST_ASSIGN_OR_RETURN(bool boot_units, EnsureBootUnits(l.run));
  if (boot_units)
    l.Changed(self.canonical_name + ": forest-boot.service prepares the node before Incus at every boot");

  // The 464XLAT wiring first: it moves the CLAT sidecar's /128 off eth0,
  // which must not be the source of anything this node starts (an image
  // pull from the parent, say) when it moves.
  FOREST_ASSIGN_OR_RETURN(XlatRun xlat, ApplyXlat(plan, self, "up", l.run));
  for (const auto& x : xlat.lines) l.Changed(x);
  if (xlat.rc != 0) return MakeError(self.canonical_name + ": 464XLAT wiring failed (forest xlat up)");

  FOREST_TRY(EnsureStoragePool(l, true));
  // The bridge's dnsmasq must not claim .incus (Incus's default dns.domain):
  // it forwards every name to this node's forestd instead. IPv4 for
  // workloads too, without Incus's NAT: it leaves the node through the CLAT
  // sidecar (or the edge's masquerade at a root), and the MTU leaves room for
  // the 20 bytes IPv6 adds to a translated packet.
  incus::StringMap lan = {{"ipv6.address", self.node_address.ToString() + "/64"},
                          {"ipv6.nat", "false"},
                          {"ipv4.address", plan::LanIpv4().ToString()},
                          {"ipv4.nat", "false"},
                          {"bridge.mtu", std::to_string(xlat::kLanMtu)},
                          {"dns.domain", self.label + ".internal"},
                          {"raw.dnsmasq", NodeDnsmasq(self)}};
  FOREST_ASSIGN_OR_RETURN(auto net, incus::GetNetwork(local, "incusbr0"));
  if (!net) {
    FOREST_TRY(
        incus::CreateNetwork(local, "incusbr0", "bridge", lan, "forest node LAN " + self.lan.ToString()));
    l.Changed("created LAN bridge incusbr0 " + lan["ipv6.address"]);
  } else {
    incus::StringMap diff;
    for (const auto& [k, v] : lan) {
      if ((*net)["config"].value(k, "") != v) diff[k] = v;
    }
    if (!diff.empty()) {
      FOREST_TRY(incus::UpdateNetwork(local, "incusbr0", diff, "forest node LAN " + self.lan.ToString()));
      l.Changed("LAN bridge incusbr0 set to " + lan["ipv6.address"]);
    }
  }

  FOREST_TRY(EnsureNodeDaemon(l, self));

  // What `incus admin init` would have made: upstream scripts launch with
  // the default profile and expect a root disk and a NIC on incusbr0.
  FOREST_ASSIGN_OR_RETURN(auto def, incus::GetProfile(local, "default"));
  if (def && def->devices.empty()) {
    def->devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", t.host.storage_pool}};
    def->devices["eth0"] = {{"type", "nic"}, {"name", "eth0"}, {"network", "incusbr0"}};
    FOREST_TRY(incus::PutProfile(local, *def));
    l.Changed("default profile: root disk on " + t.host.storage_pool + ", eth0 on incusbr0");
  }

  ParentInfo me;
  me.node_image = parent.node_image;
  me.workload_image = parent.workload_image;
  for (const std::string& fp : {parent.node_image, parent.workload_image}) {
    FOREST_ASSIGN_OR_RETURN(bool have, incus::ImageExists(local, fp));
    if (!have) {
      l.Say("pulling image " + fp.substr(0, 12) + " from " + parent.server + " …");
      auto pulled = incus::PullImage(local, parent.server, parent.certificate, fp, parent.project);
      if (!pulled.ok()) {
        // Seen once in CI, at depth 4 on a busy machine: the pull's
        // connection had the CLAT sidecar's /128 as its source and died when
        // the wiring moved that address. Re-apply the wiring (it takes the
        // address off eth0 if it is back there) and try once more.
        l.Say("pulling image " + fp.substr(0, 12) + " failed (" + pulled.error().message +
              "); re-applying the 464XLAT wiring and trying again");
        FOREST_ASSIGN_OR_RETURN(XlatRun again, ApplyXlat(plan, self, "up", l.run));
        for (const auto& x : again.lines) l.Changed(x);
        FOREST_TRY(incus::PullImage(local, parent.server, parent.certificate, fp, parent.project));
      }
      l.Changed("pulled image " + fp.substr(0, 12));
    }
  }
  FOREST_TRY(incus::SetImageAlias(local, image::Alias(image::Kind::kNode), parent.node_image));
  FOREST_TRY(incus::SetImageAlias(local, image::Alias(image::Kind::kWorkload), parent.workload_image));

  me.server = "https://" + Bracket(self.node_address) + ":8443";
  if (!ChildrenOf(plan, self.canonical_name).empty()) {
    FOREST_ASSIGN_OR_RETURN(ImageServer images, EnsureHttpsAddress(l, self.node_address, false));
    me.server = images.Url();
  }
  FOREST_ASSIGN_OR_RETURN(me.certificate, ServerCertificate(local));
  me.project = "default";
  FOREST_ASSIGN_OR_RETURN(auto swept, SweepLocal(local, {}, l.run));
  for (const auto& line : swept) l.Changed(self.canonical_name + ": " + line);
  FOREST_TRY(ConvergeChildren(l, self.canonical_name, me));
  std::printf("changes: %d\n", l.changes);
  return {};
}

}  // namespace forest::up

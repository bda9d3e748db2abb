#include "up/converge.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "base/version.h"
#include "image/image.h"
#include "incus/api.h"
#include "render/embedded.h"
#include "render/materialize.h"
#include "render/sha256.h"
#include "node/ports.h"
#include "trust/ca_endpoint.h"
#include "trust/caroot.h"
#include "up/boot.h"
#include "up/ca_stage.h"
#include "up/conflicts.h"
#include "up/daemon.h"
#include "up/image_server.h"
#include "up/shell.h"
#include "up/sweep_run.h"
#include "up/xlat_apply.h"
#include "xlat/xlat.h"

namespace forest::up {

namespace {

using incus::Client;
using Json = nlohmann::json;

// One level's convergence: its client, options, and a count of changes.
struct Level {
  Client& c;
  const topology::Topology& t;
  const plan::Plan& plan;
  const Options& o;
  int changes = 0;
  void Say(const std::string& s) const {
    if (o.progress) o.progress(s);
  }
  void Changed(const std::string& s) {
    ++changes;
    Say(s);
  }
};

std::string Bracket(const net::Ipv6Address& a) { return "[" + a.ToString() + "]"; }

// --- host preparation --------------------------------------------------------

// Descriptions that let `down` recognise host objects `up` made.
std::string MadeBy(const topology::Topology& t, const std::string& what) {
  return "forest " + what + " (made by forest up for project forest-" + t.name + ")";
}

Status EnsureStoragePool(Level& l) {
  const std::string& pool = l.t.host.storage_pool;
  FOREST_ASSIGN_OR_RETURN(bool have, incus::StoragePoolExists(l.c, pool));
  if (have) return {};
  FOREST_TRY(incus::CreateStoragePool(l.c, pool, "dir", {}, MadeBy(l.t, "storage pool")));
  l.Changed("created storage pool " + pool + " (dir)");
  return {};
}

std::string BridgeMarker(const topology::Topology& t) { return MadeBy(t, "host bridge"); }

Status EnsureHostBridge(Level& l) {
  const auto& h = l.t.host;
  incus::StringMap want = {{"ipv6.address", l.plan.host_bridge.ToString()},
                           {"ipv6.nat", "false"},
                           {"ipv6.dhcp", "false"},
                           {"ipv4.address", h.ipv4.ToString()},
                           {"ipv4.nat", "false"}};
  FOREST_ASSIGN_OR_RETURN(auto net, incus::GetNetwork(l.c, h.bridge));
  if (!net) {
    HostRanges ranges{h.bridge, l.plan.host_bridge.Network(), h.ipv4, {l.plan.host_uplink_range}};
    for (const auto& n : l.plan.nodes) {
      if (n.depth == 0) ranges.routed.push_back(n.prefix);
    }
    FOREST_ASSIGN_OR_RETURN(Json all, l.c.Get("/1.0/networks?recursion=1&project="));
    if (auto clash = FindAddressConflict(all, ranges)) return MakeError(*clash);
    FOREST_TRY(incus::CreateNetwork(l.c, h.bridge, "bridge", want, BridgeMarker(l.t)));
    l.Changed("created host bridge " + h.bridge + " " + want["ipv6.address"] + " " +
              want["ipv4.address"] + " (no NAT)");
    return {};
  }
  for (const auto& [k, v] : want) {
    std::string have = (*net)["config"].value(k, "");
    if (have != v) {
      return MakeError("host bridge " + h.bridge + " exists with " + k + "=" +
                       (have.empty() ? "(unset)" : have) + ", the topology needs " + v +
                       "; fix it with `incus network set " + h.bridge + " " + k + "=" + v +
                       "` or choose another host.bridge in the topology");
    }
  }
  return {};
}

std::string GuardTable(const topology::Topology& t) { return "forest_guard_" + t.name; }

// Test hygiene (DESIGN.md): forwarded forest traffic never leaves through
// the machine's uplink.
Status GuardUplink(Level& l) {
  int rc = 0;
  std::string routes = Shell("ip -o route show default; ip -o -6 route show default", &rc);
  std::vector<std::string> devs;
  std::istringstream in(routes);
  std::string line;
  while (std::getline(in, line)) {
    auto p = line.find(" dev ");
    if (p == std::string::npos) continue;
    std::string dev = line.substr(p + 5);
    dev = dev.substr(0, dev.find(' '));
    if (std::find(devs.begin(), devs.end(), dev) == devs.end()) devs.push_back(dev);
  }
  if (devs.empty()) return {};
  std::string six = l.plan.host_bridge.Network().ToString() + ", " + l.plan.host_uplink_range.ToString();
  for (const auto& n : l.plan.nodes) {
    if (n.depth == 0) six += ", " + n.prefix.ToString();
  }
  six += ", " + l.plan.nat64_prefix.ToString();
  std::string table = GuardTable(l.t);
  std::string rules = "table inet " + table + " {}\ndelete table inet " + table + "\n";
  rules += "table inet " + table + " {\n  chain forward {\n    type filter hook forward priority -10; policy accept;\n";
  for (const auto& d : devs) {
    rules += "    iifname \"" + l.t.host.bridge + "\" oifname \"" + d + "\" drop\n";
    rules += "    oifname \"" + d + "\" ip6 saddr { " + six + " } drop\n";
    rules += "    oifname \"" + d + "\" ip saddr " + l.t.host.ipv4.NetworkString() + " drop\n";
  }
  rules += "  }\n}\n";
  std::string path = "/run/forest-" + l.t.name + "-guard.nft";
  FOREST_TRY(WriteFileAtomic(path, rules));
  std::string out = Shell("nft -f " + path, &rc);
  if (rc != 0) return MakeError("nft -f " + path + ": " + out);
  l.Say("uplink guard: table inet " + table + " drops forest traffic to " + devs[0]);
  return {};
}

Status RemoveGuard(const topology::Topology& t) {
  int rc = 0;
  Shell("nft delete table inet " + GuardTable(t), &rc);
  return {};
}

// What `up` changed outside its project that `down` must undo.
std::string HostStatePath(const std::string& state_dir) { return state_dir + "/host.json"; }

// Child nodes pull images from their parent over https: where Incus listens
// already (another forest may have set it), else on `address` (up/image_server.h).
Result<ImageServer> EnsureHttpsAddress(Level& l, const net::Ipv6Address& address, bool remember) {
  FOREST_ASSIGN_OR_RETURN(Json server, l.c.Get("/1.0?project="));
  std::string have = server["config"].value("core.https_address", "");
  FOREST_ASSIGN_OR_RETURN(ImageServer s, ImageServerFor(have, address));
  if (s.set.empty()) {
    if (s.address.ToString() != address.ToString()) l.Say("Incus listens on " + have + " (set before); children pull images from " + s.Url());
    return s;
  }
  FOREST_TRY(l.c.Patch("/1.0?project=", {{"config", {{"core.https_address", s.set}}}}));
  if (remember) {
    FOREST_TRY(MakeDirs(l.o.state_dir));
    FOREST_TRY(WriteFileAtomic(HostStatePath(l.o.state_dir), Json{{"set_https_address", s.set}}.dump() + "\n"));
  }
  l.Changed("Incus listens on " + s.set + " (children pull images from it)");
  return s;
}

Result<std::string> ServerCertificate(Client& c) {
  FOREST_ASSIGN_OR_RETURN(Json server, c.Get("/1.0?project="));
  return server["environment"].value("certificate", "");
}

// --- profiles and instances -------------------------------------------------

incus::Profile ToIncus(const render::IncusProfile& p) {
  return {p.name, p.description, p.config, p.devices};
}

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

// Lets the host's ssh keys in as root (`forest ssh`, plain `ssh` by address).
Status PushAuthorizedKeys(Level& l, const std::string& name) {
  if (l.o.authorized_keys.empty()) return {};
  auto cur = incus::PullFile(l.c, name, "/root/.ssh/authorized_keys");
  if (cur.ok() && *cur == l.o.authorized_keys) return {};
  FOREST_TRY(incus::ExecOk(l.c, name, {"install", "-d", "-m", "0700", "/root/.ssh"}));
  FOREST_TRY(incus::PushFile(l.c, name, "/root/.ssh/authorized_keys", l.o.authorized_keys, 0600));
  l.Changed("authorized the host's ssh keys in " + name);
  return {};
}

// Installs this forest binary into an instance under a versioned release
// directory with a `current` link; `forestd` is the same binary under its
// daemon name. Returns the release.
Result<std::string> InstallBinary(Level& l, const std::string& name, const std::string& what) {
  FOREST_ASSIGN_OR_RETURN(std::string bin, ReadFile(l.o.self_binary, size_t{1} << 30));
  std::string release = std::string(kVersion) + "-" + render::Sha256Hex(bin).substr(0, 12);
  std::string dir = "/opt/forest/releases/" + release;
  auto have = incus::Exec(l.c, name, {"test", "-x", dir + "/bin/forestd"});
  if (!have.ok() || have->exit_code != 0) {
    FOREST_TRY(incus::ExecOk(l.c, name, {"mkdir", "-p", dir + "/bin", kNodeDir}));
    FOREST_TRY(incus::PushFile(l.c, name, dir + "/bin/forest.tmp", bin, 0755));
    FOREST_TRY(incus::ExecOk(l.c, name, {"mv", dir + "/bin/forest.tmp", dir + "/bin/forest"}));
    FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", "forest", dir + "/bin/forestd"}));
    FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", "releases/" + release, "/opt/forest/current"}));
    for (const char* b : {"forest", "forestd"}) {
      FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", std::string("/opt/forest/current/bin/") + b,
                                           std::string("/usr/local/bin/") + b}));
    }
    l.Changed("installed forest " + release + " in " + what);
  }
  return release;
}

std::string SlotsJson(const Options& o) {
  Json slots = Json::object();
  for (const auto& [k, v] : o.slots) slots[k] = v;
  return slots.dump(2) + "\n";
}

std::string InputsHash(const Options& o) {
  return render::Sha256Hex(o.topology_text + "\n--\n" + SlotsJson(o)).substr(0, 12);
}

// The inputs every level computes the plan from: topology and slot memory.
Status PushPlanInputs(Level& l, const std::string& name) {
  FOREST_TRY(incus::ExecOk(l.c, name, {"mkdir", "-p", kNodeDir}));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/topology.yaml", l.o.topology_text));
  return incus::PushFile(l.c, name, std::string(kNodeDir) + "/slots.json", SlotsJson(l.o));
}

// Installs forest into a node, plus the node's inputs under /etc/forest.
Status InstallForest(Level& l, const std::string& name, const std::string& canonical,
                     const ParentInfo& parent) {
  FOREST_ASSIGN_OR_RETURN(std::string release, InstallBinary(l, name, canonical));
  // The incus shim, ahead of the real client on PATH.
  FOREST_ASSIGN_OR_RETURN(std::string shim, render::EmbeddedText("node/incus-shim.sh"));
  auto cur_shim = incus::PullFile(l.c, name, "/usr/local/bin/incus");
  if (!cur_shim.ok() || *cur_shim != shim) {
    FOREST_TRY(incus::PushFile(l.c, name, "/usr/local/bin/incus", shim, 0755));
    l.Changed("installed the incus shim in " + canonical);
  }
  FOREST_TRY(PushPlanInputs(l, name));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/self", canonical + "\n"));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/parent.json",
                             ToJson(parent).dump(2) + "\n"));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/authorized_keys",
                             l.o.authorized_keys));
  // The mkcert shim: the forest binary under mkcert's name, and its settings.
  FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", "/opt/forest/current/bin/forest", "/usr/local/bin/mkcert"}));
  trust::CaEndpoint ca{l.plan.helper_address.ToString(), node::kApiPort, canonical};
  FOREST_TRY(incus::PushFile(l.c, name, trust::kMkcertConfig, trust::CaEndpointJson(ca)));
  return PushAuthorizedKeys(l, name);
}

// The host's mkcert root (made if absent) goes into the helper's state, and
// only there (DESIGN.md, Trust).
Status StageHostRoot(Level& l) {
  if (l.o.caroot.empty()) return {};
  // A helper that signs already keeps its root: no new one is made for it
  // (a different HOME or CAROOT would otherwise give the forest a new root).
  FOREST_ASSIGN_OR_RETURN(std::string have, StagedRootCert(l.c, l.t.helper.name));
  auto loaded = trust::LoadOrCreateRoot(l.o.caroot, have.empty(), trust::InvokerOwner());
  if (!loaded.ok() && !have.empty()) {
    return MakeError("the helper " + l.t.helper.name + " signs with a root staged earlier, and " + l.o.caroot +
                     " has none; forest does not make a new root for a forest that has one. Run forest with "
                     "CAROOT set to the folder of the staged root (`forest ca stage --replace` replaces it on "
                     "purpose)");
  }
  FOREST_ASSIGN_OR_RETURN(trust::HostRoot root, std::move(loaded));
  if (root.created) l.Say("created a new mkcert-compatible root in " + root.dir);
  FOREST_ASSIGN_OR_RETURN(bool staged, StageRoot(l.c, l.t.helper.name, root.files, root.dir, false));
  if (staged) l.Changed("staged the mkcert root of " + root.dir + " in the helper");
  return {};
}

// The helper container runs `forestd --role helper` (DNS for .incus, the
// publication API, the CA broker) from the same binary.
Status InstallHelper(Level& l) {
  const std::string& name = l.t.helper.name;
  FOREST_TRY(WaitBooted(l.c, name));
  FOREST_ASSIGN_OR_RETURN(std::string release, InstallBinary(l, name, "the helper"));
  FOREST_TRY(PushPlanInputs(l, name));
  FOREST_TRY(PushAuthorizedKeys(l, name));
  FOREST_TRY(StageHostRoot(l));
  FOREST_ASSIGN_OR_RETURN(std::string did,
                          EnsureDaemonIn(l.c, name, DaemonUnit("helper", "--role helper",
                                                               release + ", inputs " + InputsHash(l.o))));
  if (!did.empty()) l.Changed("helper: " + did);
  return WaitHealthy("the helper", l.plan.helper_address.ToString(), node::kApiPort, std::chrono::seconds(30));
}

bool SubtreeWantsAgent(const plan::Plan& plan, const plan::NodePlan& child) {
  std::string suffix = "." + child.canonical_name;
  for (const auto& m : plan.nodes) {
    bool in = m.canonical_name == child.canonical_name ||
              (m.canonical_name.size() > suffix.size() &&
               m.canonical_name.compare(m.canonical_name.size() - suffix.size(), suffix.size(), suffix) == 0);
    if (in && m.node->ssh_agent) return true;
  }
  return false;
}

// Adds `root:<id>:1` to this node's /etc/subuid or /etc/subgid so Incus
// accepts a raw.idmap for it; returns true when the file changed.
Result<bool> AllowSubid(const std::string& file, unsigned id) {
  std::string cur = ReadFile(file).ok() ? *ReadFile(file) : "";
  std::string line = "root:" + std::to_string(id) + ":1";
  if (("\n" + cur).find("\n" + line + "\n") != std::string::npos) return false;
  if (!cur.empty() && cur.back() != '\n') cur += "\n";
  FOREST_TRY(WriteFileAtomic(file, cur + line + "\n"));
  return true;
}

// Shares reach a nested child from staging paths in this node; without
// idmapped mounts here, the owner keeps its uid through a raw.idmap entry.
Result<std::string> ShareIdmap(Level& l, const plan::NodePlan& child) {
  FOREST_ASSIGN_OR_RETURN(auto all, render::AllProfiles(l.t, l.plan, false));
  std::set<unsigned> uids, gids;
  for (const auto& p : all) {
    if (p.name != render::NodeProfileName(child)) continue;
    for (const auto& [dev, d] : p.devices) {
      auto src = d.find("source");
      if (d.at("type") != "disk" || src == d.end() || src->second.rfind("/opt/forest/shares/", 0) != 0) {
        continue;
      }
      struct stat st {};
      if (stat(src->second.c_str(), &st) != 0) {
        return MakeError(child.canonical_name + ": share source " + src->second +
                         " is missing in its parent (the relay from the host did not arrive)");
      }
      if (st.st_uid == 0 || st.st_gid == 0) {
        l.Say("warning: " + src->second + " is owned by root; " + child.label +
              " sees it owned by nobody (root is never mapped through)");
        continue;
      }
      uids.insert(st.st_uid);
      gids.insert(st.st_gid);
    }
  }
  std::string idmap;
  bool changed = false;
  for (unsigned u : uids) {
    idmap += "uid " + std::to_string(u) + " " + std::to_string(u) + "\n";
    FOREST_ASSIGN_OR_RETURN(bool c, AllowSubid("/etc/subuid", u));
    changed |= c;
  }
  for (unsigned g : gids) {
    idmap += "gid " + std::to_string(g) + " " + std::to_string(g) + "\n";
    FOREST_ASSIGN_OR_RETURN(bool c, AllowSubid("/etc/subgid", g));
    changed |= c;
  }
  if (changed) {
    int rc = 0;
    std::string out = Shell("systemctl restart incus.service && for i in $(seq 60); do "
                            "curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 "
                            ">/dev/null && exit 0; sleep 1; done; exit 1", &rc);
    if (rc != 0) return MakeError("restarting incus after a subuid change failed: " + out);
    l.Changed("allowed share owners in /etc/subuid, /etc/subgid and restarted incus");
  }
  return idmap;
}

// Relays the ssh-agent socket into the child when it or a descendant opted in.
Status AgentRelay(Level& l, const plan::NodePlan& child) {
  if (!SubtreeWantsAgent(l.plan, child)) return {};
  if (l.o.agent_socket.empty()) {
    l.Say("warning: " + child.canonical_name +
          " (or a node below it) asks for ssh-agent, but there is no agent here (SSH_AUTH_SOCK unset)");
    return {};
  }
  incus::StringMap dev = {{"type", "proxy"},
                          {"bind", "instance"},
                          {"listen", std::string("unix:") + kAgentSocket},
                          {"connect", "unix:" + l.o.agent_socket},
                          {"mode", "0600"},
                          {"uid", "0"},
                          {"gid", "0"}};
  FOREST_ASSIGN_OR_RETURN(auto inst, incus::GetInstance(l.c, child.label));
  Json have = (*inst)["devices"].value("forest-ssh-agent", Json::object());
  Json want(dev);
  Json patch = Json::object();
  if (have != want) patch["devices"] = {{"forest-ssh-agent", want}};
  if (child.node->ssh_agent &&
      (*inst)["config"].value("environment.SSH_AUTH_SOCK", "") != kAgentSocket) {
    patch["config"] = {{"environment.SSH_AUTH_SOCK", kAgentSocket}};
  }
  if (patch.empty()) return {};
  FOREST_TRY(incus::PatchInstance(l.c, child.label, patch));
  l.Changed("ssh-agent relayed into " + child.canonical_name);
  return {};
}

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

}  // namespace

Status WaitBooted(Client& c, const std::string& name) {
  for (int i = 0; i < 120; ++i) {
    auto r = incus::Exec(c, name, {"systemctl", "is-system-running", "--wait"});
    if (r.ok() && r->exit_code >= 0 && r->exit_code != 255) {
      std::string state = r->out.substr(0, r->out.find('\n'));
      if (state == "running" || state == "degraded") return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return MakeError(name + ": systemd did not finish booting within 60 s");
}

nlohmann::json ToJson(const ParentInfo& p) {
  return {{"server", p.server},
          {"certificate", p.certificate},
          {"project", p.project},
          {"images", {{"node", p.node_image}, {"workload", p.workload_image}}}};
}

Result<ParentInfo> ParentInfoFromJson(const std::string& text, const std::string& file) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("images") || !j["images"].is_object()) {
    return MakeError(file + ": not a forest parent description (expected a JSON object with "
                            "server, certificate, project, images)");
  }
  auto str = [&](const Json& obj, const char* key, std::string& out) -> Status {
    if (!obj.contains(key)) return {};
    if (!obj[key].is_string()) return MakeError(file + ": " + key + ": expected a string");
    out = obj[key].get<std::string>();
    return {};
  };
  ParentInfo p;
  FOREST_TRY(str(j, "server", p.server));
  FOREST_TRY(str(j, "certificate", p.certificate));
  FOREST_TRY(str(j, "project", p.project));
  FOREST_TRY(str(j["images"], "node", p.node_image));
  FOREST_TRY(str(j["images"], "workload", p.workload_image));
  if (p.server.empty() || p.node_image.empty() || p.workload_image.empty()) {
    return MakeError(file + ": server and images.node/images.workload must be set");
  }
  return p;
}

Status UpHost(Client& host, const topology::Topology& t, const plan::Plan& plan, const Options& o) {
  Level l{host, t, plan, o};
  Client global = host.WithProject("");
  Level g{global, t, plan, o};
  FOREST_TRY(EnsureStoragePool(g));
  FOREST_TRY(EnsureHostBridge(g));
  if (o.guard_uplink) FOREST_TRY(GuardUplink(g));
  FOREST_ASSIGN_OR_RETURN(bool had_project, incus::ProjectExists(global, host.project()));
  FOREST_TRY(incus::EnsureProject(global, host.project(),
                                  {{"features.images", "true"},
                                   {"features.profiles", "true"},
                                   {"features.storage.volumes", "true"}},
                                  "forest " + t.name));
  if (!had_project) g.Changed("created project " + host.project());
  // What a failed start of a root left (veths, routes, nft rules) would make
  // its next start fail: swept first (up/sweep.h).
  FOREST_ASSIGN_OR_RETURN(auto swept, SweepLocal(host, {host.project()}));
  for (const auto& line : swept) g.Changed(line);
  FOREST_ASSIGN_OR_RETURN(ImageServer images, EnsureHttpsAddress(g, plan.host_bridge.address, true));

  ParentInfo me;
  auto progress = [&](const std::string& s) { l.Say(s); };
  FOREST_ASSIGN_OR_RETURN(me.node_image, image::EnsureImported(host, image::Kind::kNode, progress));
  FOREST_ASSIGN_OR_RETURN(me.workload_image,
                          image::EnsureImported(host, image::Kind::kWorkload, progress));
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

// Extra dnsmasq lines for a node's LAN: every name goes to the node's forestd,
// and router advertisements name the LAN's global address as DNS server
// (dnsmasq listens there; its link-local address may not be bound yet).
std::string NodeDnsmasq(const plan::NodePlan& self) {
  std::string addr = self.node_address.ToString();
  std::string forestd = addr + "#" + std::to_string(node::kNodeDnsPort);
  return "no-resolv\nserver=/incus/" + forestd + "\nserver=" + forestd +
         "\ndhcp-option=option6:dns-server,[" + addr + "]";
}

// forestd --role node in this node, and the node's own resolver asking it
// for .incus (systemd-resolved drop-in).
Status EnsureNodeDaemon(Level& l, const plan::NodePlan& self) {
  std::string addr = self.node_address.ToString();
  std::string dropin = "# Written by `forest up`: every name comes from this node's forestd (.incus from\n"
                       "# the forest, the rest through the edge's DNS64).\n"
                       "[Resolve]\nDNS=[" + addr + "]:" + std::to_string(node::kNodeDnsPort) +
                       "\nDomains=~.\n";
  const std::string dropin_path = "/etc/systemd/resolved.conf.d/forest.conf";
  FOREST_TRY(MakeDirs("/etc/systemd/resolved.conf.d"));
  FOREST_ASSIGN_OR_RETURN(bool wrote, WriteFileIfChanged(dropin_path, dropin));
  if (wrote) {
    int rc = 0;
    Shell("systemctl try-reload-or-restart systemd-resolved.service", &rc);
    l.Changed(self.canonical_name + ": resolver asks forestd for .incus");
  }
  // The unit names the binary's release and the inputs' hash: a new binary
  // or a new topology restarts forestd, which reads both at start.
  std::string release = l.o.self_binary + ", inputs " + InputsHash(l.o);
  FOREST_ASSIGN_OR_RETURN(std::string did,
                          EnsureLocalDaemon(DaemonUnit("node", "--role node --self " + self.canonical_name + (self.edge ? " --edge" : ""),
                                                       release)));
  if (!did.empty()) l.Changed(self.canonical_name + ": " + did);
  return WaitHealthy(self.canonical_name, addr, node::kApiPort, std::chrono::seconds(30));
}

Status UpNode(Client& local, const topology::Topology& t, const plan::Plan& plan,
              const plan::NodePlan& self, const ParentInfo& parent, const Options& o) {
  Level l{local, t, plan, o};
  // The node's own preparation: forwarding, cgroup fix-up, subordinate ids;
  // at every boot too, before Incus starts (up/boot.h).
  auto prepared = RunPrepare(false);
  if (!prepared.ok()) return prepared.error().Wrap(self.canonical_name);
  for (const auto& line : *prepared) l.Changed(line);
  FOREST_ASSIGN_OR_RETURN(bool boot_units, EnsureBootUnits());
  if (boot_units) l.Changed(self.canonical_name + ": forest-boot.service prepares the node before Incus at every boot");

  // The 464XLAT wiring first: it moves the CLAT sidecar's /128 off eth0,
  // which must not be the source of anything this node starts (an image
  // pull from the parent, say) when it moves.
  FOREST_ASSIGN_OR_RETURN(XlatRun xlat, ApplyXlat(plan, self, "up"));
  for (const auto& x : xlat.lines) l.Changed(x);
  if (xlat.rc != 0) return MakeError(self.canonical_name + ": 464XLAT wiring failed (forest xlat up)");

  FOREST_TRY(EnsureStoragePool(l));
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
    FOREST_TRY(incus::CreateNetwork(local, "incusbr0", "bridge", lan, "forest node LAN " + self.lan.ToString()));
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
        FOREST_ASSIGN_OR_RETURN(XlatRun again, ApplyXlat(plan, self, "up"));
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
  FOREST_ASSIGN_OR_RETURN(auto swept, SweepLocal(local, {}));
  for (const auto& line : swept) l.Changed(self.canonical_name + ": " + line);
  FOREST_TRY(ConvergeChildren(l, self.canonical_name, me));
  std::printf("changes: %d\n", l.changes);
  return {};
}

Status DownHost(Client& host, const topology::Topology& t, const std::string& state_dir,
                const Progress& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  Client global = host.WithProject("");
  FOREST_ASSIGN_OR_RETURN(bool have_project, incus::ProjectExists(global, host.project()));
  if (have_project) {
    FOREST_ASSIGN_OR_RETURN(auto instances, incus::ListInstances(host));
    for (const auto& name : instances) {
      FOREST_ASSIGN_OR_RETURN(std::string st, incus::InstanceStatus(host, name));
      if (st != "Stopped") FOREST_TRY(incus::SetInstanceState(host, name, "stop", true));
      FOREST_TRY(incus::DeleteInstance(host, name));
      say("deleted " + name + " (and everything inside it)");
    }
    FOREST_ASSIGN_OR_RETURN(auto images, incus::ListImages(host));
    for (const auto& fp : images) {
      FOREST_TRY(incus::DeleteImage(host, fp));
      say("deleted image " + fp.substr(0, 12));
    }
    FOREST_ASSIGN_OR_RETURN(auto profiles, incus::ListProfiles(host));
    for (const auto& p : profiles) {
      if (p == "default") continue;
      FOREST_TRY(incus::DeleteProfile(host, p));
      say("deleted profile " + p);
    }
    FOREST_TRY(incus::DeleteProject(global, host.project()));
    say("deleted project " + host.project());
  }
  // Host objects `up` made (their description says so) go when nothing uses them.
  auto remove_if_ours = [&](const std::optional<Json>& object, const std::string& marker,
                            const std::string& what, auto remove) -> Status {
    if (!object || object->value("description", "") != marker) return {};
    const Json& used = (*object)["used_by"];
    if (used.is_array() && !used.empty()) {
      say("kept " + what + ": still used by " + used.dump());
      return {};
    }
    FOREST_TRY(remove());
    say("deleted " + what);
    return {};
  };
  FOREST_ASSIGN_OR_RETURN(auto net, incus::GetNetwork(global, t.host.bridge));
  FOREST_TRY(remove_if_ours(net, BridgeMarker(t), "host bridge " + t.host.bridge,
                            [&] { return incus::DeleteNetwork(global, t.host.bridge); }));
  FOREST_ASSIGN_OR_RETURN(auto pool, incus::GetStoragePool(global, t.host.storage_pool));
  FOREST_TRY(remove_if_ours(pool, MadeBy(t, "storage pool"), "storage pool " + t.host.storage_pool,
                            [&] { return incus::DeleteStoragePool(global, t.host.storage_pool); }));
  if (auto state = ReadFile(HostStatePath(state_dir)); state.ok()) {
    Json j = Json::parse(*state, nullptr, false);
    if (j.is_object() && j.contains("set_https_address")) {
      FOREST_ASSIGN_OR_RETURN(Json server, global.Get("/1.0?project="));
      if (server["config"].value("core.https_address", "") == j["set_https_address"]) {
        FOREST_TRY(global.Patch("/1.0?project=", {{"config", {{"core.https_address", ""}}}}));
        say("Incus no longer listens on " + j["set_https_address"].get<std::string>());
      }
    }
    std::filesystem::remove(HostStatePath(state_dir));
  }
  FOREST_TRY(RemoveGuard(t));
  return {};
}

Result<int> ExecPath(Client& c, const std::vector<std::string>& path,
                     const std::vector<std::string>& argv, const incus::OutputSink& sink, int stdin_fd) {
  if (path.empty()) return MakeError("exec: empty node path");
  std::vector<std::string> cmd;
  if (path.size() == 1) {
    cmd = argv;
  } else {
    cmd = {kBinaryPath, "node-exec"};
    cmd.insert(cmd.end(), path.begin() + 1, path.end());
    cmd.push_back("--");
    cmd.insert(cmd.end(), argv.begin(), argv.end());
  }
  return incus::ExecStream(c, c.SocketPath(), path[0], cmd, {}, sink, stdin_fd);
}

Result<Json> StatusTree(Client& c, bool recurse) {
  FOREST_ASSIGN_OR_RETURN(Json list, c.Get("/1.0/instances?recursion=2"));
  Json out = Json::array();
  for (const Json& inst : list) {
    Json e;
    e["name"] = inst.value("name", "");
    e["status"] = inst.value("status", "");
    const Json& cfg = inst["expanded_config"];
    e["role"] = cfg.value("user.forest.role", "");
    e["canonical_name"] = cfg.value("user.forest.canonical_name", "");
    e["privileged"] = cfg.value("security.privileged", "") == "true";
    e["addresses"] = Json::array();
    if (inst.contains("state") && inst["state"].is_object()) {
      e["pid"] = inst["state"].value("pid", 0);
      const Json& nets = inst["state"]["network"];
      if (nets.is_object() && nets.contains("eth0")) {
        for (const Json& a : nets["eth0"]["addresses"]) {
          if (a.value("scope", "") == "global") e["addresses"].push_back(a.value("address", ""));
        }
      }
    }
    std::string role = e["role"];
    if (recurse && e["status"] == "Running" && (role == "root" || role == "recursive-child")) {
      auto r = incus::Exec(c, e["name"], {kBinaryPath, "node-status", "--json"});
      if (r.ok() && r->exit_code == 0) {
        Json sub = Json::parse(r->out, nullptr, false);
        if (!sub.is_discarded()) e["children"] = sub;
      } else {
        e["children_error"] = r.ok() ? r->err : r.error().message;
      }
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace forest::up

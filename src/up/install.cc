#include "up/install.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "api/paths.h"
#include "base/files.h"
#include "base/version.h"
#include "image/image.h"
#include "incus/api.h"
#include "render/embedded.h"
#include "render/sha256.h"
#include "trust/ca_endpoint.h"
#include "trust/caroot.h"
#include "up/ca_stage.h"
#include "up/daemon.h"
#include "up/node_binary.h"

namespace forest::up {

using Json = nlohmann::json;

Status PushAuthorizedKeys(Level& l, const std::string& name) {
  if (l.o.authorized_keys.empty()) return {};
  auto cur = incus::PullFile(l.c, name, "/root/.ssh/authorized_keys");
  if (cur.ok() && *cur == l.o.authorized_keys) return {};
  FOREST_TRY(incus::ExecOk(l.c, name, {"install", "-d", "-m", "0700", "/root/.ssh"}));
  FOREST_TRY(incus::PushFile(l.c, name, "/root/.ssh/authorized_keys", l.o.authorized_keys, 0600));
  l.Changed("authorized the host's ssh keys in " + name);
  return {};
}

namespace {

// Puts an executable in place by rename, from a new file: never one that a
// killed earlier push left, which incusd's file server can still hold open
// for writing (the program then fails to start with "Text file busy", in
// incus's words "Command not executable").
Status PushExecutable(Level& l, const std::string& name, const std::string& path,
                      const std::string& content) {
  const std::string tmp = path + ".tmp";
  FOREST_TRY(incus::ExecOk(l.c, name, {"rm", "-f", tmp}));
  FOREST_TRY(incus::PushFile(l.c, name, tmp, content, 0755));
  FOREST_TRY(incus::ExecOk(l.c, name, {"mv", tmp, path}));
  return {};
}

// Installs this forest binary into an instance under a versioned release
// directory with a `current` link; `forestd` is the same binary under its
// daemon name. Returns the release.
Result<std::string> InstallBinary(Level& l, const std::string& name, const std::string& what) {
  std::string self = NodeBinary(l.o.self_binary, image::CacheDir() + "/bin", l.run);
  FOREST_ASSIGN_OR_RETURN(std::string bin, ReadFile(self, size_t{1} << 30));
  std::string release = std::string(kVersion) + "-" + render::Sha256Hex(bin).substr(0, 12);
  std::string dir = "/opt/forest/releases/" + release;
  auto have = incus::Exec(l.c, name, {"test", "-x", dir + "/bin/forestd"});
  if (!have.ok() || have->exit_code != 0) {
    FOREST_TRY(incus::ExecOk(l.c, name, {"mkdir", "-p", dir + "/bin", kNodeDir}));
    FOREST_TRY(PushExecutable(l, name, dir + "/bin/forest", bin));
    FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", "forest", dir + "/bin/forestd"}));
    FOREST_TRY(incus::ExecOk(l.c, name, {"ln", "-sfn", "releases/" + release, "/opt/forest/current"}));
    for (const char* b : {"forest", "forestd"}) {
      FOREST_TRY(incus::ExecOk(
          l.c, name,
          {"ln", "-sfn", std::string("/opt/forest/current/bin/") + b, std::string("/usr/local/bin/") + b}));
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

}  // namespace

Status InstallForest(Level& l, const std::string& name, const std::string& canonical,
                     const ParentInfo& parent) {
  FOREST_ASSIGN_OR_RETURN(std::string release, InstallBinary(l, name, canonical));
  // The incus shim, ahead of the real client on PATH.
  FOREST_ASSIGN_OR_RETURN(std::string shim, render::EmbeddedText("node/incus-shim.sh"));
  auto cur_shim = incus::PullFile(l.c, name, "/usr/local/bin/incus");
  if (!cur_shim.ok() || *cur_shim != shim) {
    FOREST_TRY(PushExecutable(l, name, "/usr/local/bin/incus", shim));
    l.Changed("installed the incus shim in " + canonical);
  }
  FOREST_TRY(PushPlanInputs(l, name));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/self", canonical + "\n"));
  FOREST_TRY(
      incus::PushFile(l.c, name, std::string(kNodeDir) + "/parent.json", ToJson(parent).dump(2) + "\n"));
  FOREST_TRY(incus::PushFile(l.c, name, std::string(kNodeDir) + "/authorized_keys", l.o.authorized_keys));
  // The mkcert shim: the forest binary under mkcert's name, and its settings.
  FOREST_TRY(
      incus::ExecOk(l.c, name, {"ln", "-sfn", "/opt/forest/current/bin/forest", "/usr/local/bin/mkcert"}));
  trust::CaEndpoint ca{l.plan.helper_address.ToString(), api::kPort, canonical};
  FOREST_TRY(incus::PushFile(l.c, name, trust::kMkcertConfig, trust::CaEndpointJson(ca)));
  return PushAuthorizedKeys(l, name);
}

namespace {

// The host's mkcert root (made if absent) goes into the helper's state, and
// only there (DESIGN.md, Trust).
Status StageHostRoot(Level& l) {
  if (l.o.caroot.empty()) return {};
  // A helper that signs already keeps its root: no new one is made for it
  // (a different HOME or CAROOT would otherwise give the forest a new root).
  FOREST_ASSIGN_OR_RETURN(std::string have, StagedRootCert(l.c, l.t.helper.name));
  auto loaded = trust::LoadOrCreateRoot(l.o.caroot, have.empty(), trust::InvokerOwner());
  if (!loaded.ok() && !have.empty()) {
    return MakeError(
        "the helper " + l.t.helper.name + " signs with a root staged earlier, and " + l.o.caroot +
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

}  // namespace

Status InstallHelper(Level& l) {
  const std::string& name = l.t.helper.name;
  FOREST_TRY(WaitBooted(l.c, name));
  FOREST_ASSIGN_OR_RETURN(std::string release, InstallBinary(l, name, "the helper"));
  FOREST_TRY(PushPlanInputs(l, name));
  FOREST_TRY(PushAuthorizedKeys(l, name));
  FOREST_TRY(StageHostRoot(l));
  FOREST_ASSIGN_OR_RETURN(
      std::string did,
      EnsureDaemonIn(l.c, name,
                     DaemonUnit("helper", "--role helper", release + ", inputs " + InputsHash(l.o))));
  if (!did.empty()) l.Changed("helper: " + did);
  return WaitHealthy("the helper", l.plan.helper_address.ToString(), api::kPort, std::chrono::seconds(30));
}

Status EnsureNodeDaemon(Level& l, const plan::NodePlan& self) {
  std::string addr = self.node_address.ToString();
  std::string dropin =
      "# Written by `forest up`: every name comes from this node's forestd (.incus from\n"
      "# the forest, the rest through the edge's DNS64).\n"
      "[Resolve]\nDNS=[" +
      addr + "]:" + std::to_string(api::kNodeDnsPort) + "\nDomains=~.\n";
  const std::string dropin_path = "/etc/systemd/resolved.conf.d/forest.conf";
  FOREST_TRY(MakeDirs("/etc/systemd/resolved.conf.d"));
  FOREST_ASSIGN_OR_RETURN(bool wrote, WriteFileIfChanged(dropin_path, dropin));
  if (wrote) {
    (void)l.run.Run(
        {.argv = {"systemctl", "try-reload-or-restart", "systemd-resolved.service"}, .merge_stderr = true});
    l.Changed(self.canonical_name + ": resolver asks forestd for .incus");
  }
  // The unit names the binary's release and the inputs' hash: a new binary
  // or a new topology restarts forestd, which reads both at start.
  std::string release = l.o.self_binary + ", inputs " + InputsHash(l.o);
  FOREST_ASSIGN_OR_RETURN(std::string did,
                          EnsureLocalDaemon(l.run, DaemonUnit("node",
                                                              "--role node --self " + self.canonical_name +
                                                                  (self.edge ? " --edge" : ""),
                                                              release)));
  if (!did.empty()) l.Changed(self.canonical_name + ": " + did);
  return WaitHealthy(self.canonical_name, addr, api::kPort, std::chrono::seconds(30));
}

}  // namespace forest::up

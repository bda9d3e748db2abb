#include "shellhost/lifecycle.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "base/files.h"
#include "incus/api.h"
#include "render/writer.h"
#include "shellhost/policy.h"
#include "shellhost/protect.h"
#include "shellhost/state.h"
#include "up/converge.h"

namespace forest::shellhost {

namespace fs = std::filesystem;
using shell::Jail;
using shell::State;

namespace {
void Say(const std::string& s) { std::cerr << s << std::endl; }
}  // namespace

nlohmann::json JailInfo(const Session& s, const Jail& j) {
  auto c = s.Client();
  std::string status = "missing";
  if (auto inst = incus::GetInstance(c, j.name); inst.ok() && *inst) status = (**inst).value("status", "");
  return {{"name", j.name},
          {"dns", j.name + ".incus"},
          {"workspace", j.workspace},
          {"slot", j.slot},
          {"mode", j.persistent ? "persistent" : "ephemeral"},
          {"status", status},
          {"tool", j.tool},
          {"image", j.image.empty() ? "forest-node" : j.image},
          {"network", shell::NetModeName(j.network)},
          {"user", j.user.user},
          {"ssh_agent", j.ssh_agent},
          {"hardened", j.hardened}};
}

Status Stop(const Session& s, const std::string& name, int timeout,
            const std::function<void(const std::string&)>& say) {
  auto c = s.Client();
  auto put = c.Put("/1.0/instances/" + incus::Escape(name) + "/state",
                   {{"action", "stop"}, {"timeout", timeout}, {"force", false}});
  if (put.ok()) return {};
  say(name + ": did not stop within " + std::to_string(timeout) + " s; forcing");
  return incus::SetInstanceState(c, name, "stop", true);
}

Status Remove(Session& s, State& st, const std::string& name) {
  auto c = s.Client();
  std::string profile;
  if (auto loaded = LoadForest(s); loaded.ok()) {
    for (const auto& n : (*loaded)->plan.nodes) {
      if (n.depth == 0 && n.label == name) profile = render::NodeProfileName(n);
    }
  }
  auto inst = incus::GetInstance(c, name);
  if (inst.ok() && *inst) {
    if ((**inst).value("status", "") != "Stopped") {
      FOREST_TRY(incus::SetInstanceState(c, name, "stop", true));
    }
    FOREST_TRY(incus::DeleteInstance(c, name));
  }
  if (!profile.empty()) {
    auto p = incus::GetProfile(c, profile);
    if (p.ok() && *p) (void)incus::DeleteProfile(c, profile);
  }
  std::vector<std::string> protected_paths;
  std::string workspace;
  for (const auto& j : st.jails) {
    if (j.name == name) protected_paths = j.readonly_paths, workspace = j.workspace;
  }
  std::erase_if(st.jails, [&](const Jail& j) { return j.name == name; });
  FOREST_TRY(SaveState(s, st));
  // The placeholders forest made in the repository go with its last jail.
  bool used =
      std::any_of(st.jails.begin(), st.jails.end(), [&](const Jail& j) { return j.workspace == workspace; });
  if (!workspace.empty() && !used) DropPlaceholders(workspace, protected_paths);
  if (!st.jails.empty()) FOREST_TRY(WriteTopology(s, st));
  FOREST_TRY(ApplyNetPolicy(s, st));
  Say("removed " + name);
  return {};
}

Status RemoveAll(Session& s) {
  FOREST_ASSIGN_OR_RETURN(State st, LoadState(s));
  for (const auto& j : State(st).jails) FOREST_TRY(Remove(s, st, j.name));
  std::error_code ec;
  if (fs::exists(s.dir + "/topology.yaml", ec)) {
    FOREST_ASSIGN_OR_RETURN(auto loaded, LoadForest(s, false));
    auto c = s.Client();
    FOREST_TRY(up::DownHost(c, loaded->topology, s.dir, Say));
  }
  DropPolicyTable(s.config.forest);
  FOREST_TRY(RemoveTree(s.dir));
  return {};
}

Result<int> Clean(Session& s, State& st) {
  auto c = s.Client();
  int n = 0;
  for (const auto& j : State(st).jails) {
    auto inst = incus::GetInstance(c, j.name);
    bool gone = inst.ok() && !*inst;
    bool stopped = inst.ok() && *inst && (**inst).value("status", "") == "Stopped";
    if (gone || (stopped && !j.persistent)) {
      FOREST_TRY(Remove(s, st, j.name));
      ++n;
    }
  }
  return n;
}

}  // namespace forest::shellhost

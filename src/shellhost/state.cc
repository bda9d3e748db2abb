#include "shellhost/state.h"

#include <filesystem>

#include "base/clock.h"
#include "render/writer.h"
#include "shellhost/protect.h"

namespace forest::shellhost {

namespace fs = std::filesystem;
using shell::Jail;
using shell::State;

Result<std::unique_ptr<FileLock>> Lock(const Session& s) {
  FOREST_TRY(MakeDirs(s.state_root));
  return FileLock::Acquire(s.state_root + "/." + s.config.forest + "-shell.lock");
}

Result<Opened> OpenState(const Flags& f, bool lock) {
  Opened o;
  FOREST_ASSIGN_OR_RETURN(o.s, Open(f));
  if (lock) {
    FOREST_ASSIGN_OR_RETURN(o.lock, Lock(o.s));
  }
  FOREST_ASSIGN_OR_RETURN(o.st, LoadState(o.s));
  return o;
}

Result<State> LoadState(const Session& s) {
  std::string path = s.dir + "/shell.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return State{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return shell::ParseState(text, path);
}

Status SaveState(const Session& s, const State& st) {
  FOREST_TRY(MakeDirs(s.dir));
  return WriteFileAtomic(s.dir + "/shell.json", shell::StateJson(st));
}

Status RecordJail(const Session& s, State& st, const Jail& jail) {
  for (auto& x : st.jails) {
    if (x.name == jail.name) x = jail;
  }
  return SaveState(s, st);
}

Result<Jail> NewJail(const Session& s, const State& st, int slot) {
  Jail j;
  j.workspace = s.workspace;
  j.slot = slot;
  j.name = shell::JailName(s.workspace, slot);
  j.index = shell::FreeIndex(st);
  if (j.index == 0) return MakeError("4095 jails exist; `forest shell clean` or `kill` some");
  j.persistent = s.config.persistent;
  j.tool = s.config.tool;
  j.image = s.config.image;
  j.network = s.config.network;
  j.allow = s.config.allow;
  j.user = s.me;
  // Unset limits get the defaults (shell/jail.h): no jail runs unlimited.
  j.limits = shell::WithDefaults(s.config.limits, shell::DefaultLimits(ReadHostFacts()));
  j.hardened = s.config.hardened;
  j.ssh_agent = s.config.ssh_agent;
  j.mounts = s.config.mounts;
  j.created = UnixNow();
  // readonly_paths: made by its first Converge, like every later start's.
  return j;
}

Result<Jail> Pick(const Session& s, const shell::State& st, const std::string& name) {
  if (!name.empty()) {
    if (const auto* j = st.Find(name)) return *j;
    std::string all;
    for (const auto& j : st.jails) all += (all.empty() ? "" : ", ") + j.name;
    return MakeError("no jail '" + name + "'" +
                     (all.empty() ? " (there are none)" : "; the jails are " + all) +
                     "; `forest shell list` shows them");
  }
  std::vector<const shell::Jail*> mine;
  for (const auto& j : st.jails) {
    if (j.workspace == s.workspace) mine.push_back(&j);
  }
  if (mine.size() == 1) return *mine[0];
  if (const auto* j = st.Find(s.workspace, 1)) return *j;
  if (mine.empty()) {
    return MakeError("no jail for " + s.workspace + "; start one with `forest shell`, or name a jail");
  }
  return MakeError(s.workspace + " has " + std::to_string(mine.size()) +
                   " jails; name one (`forest shell list`)");
}

Result<std::unique_ptr<ShellForest>> LoadForest(const Session& s, bool with_slots) {
  plan::SlotMemory slots;
  if (with_slots) {
    FOREST_ASSIGN_OR_RETURN(slots, render::ReadSlotMemory(s.dir));
  }
  std::string path = s.dir + "/topology.yaml";
  auto f = std::make_unique<ShellForest>();
  FOREST_ASSIGN_OR_RETURN(f->text, ReadFile(path, topology::kMaxInputBytes));
  FOREST_ASSIGN_OR_RETURN(f->topology, topology::Parse(f->text, path));
  // The plan keeps pointers into the topology, which now lives at a stable address.
  FOREST_ASSIGN_OR_RETURN(f->plan, plan::MakePlan(f->topology, slots));
  return f;
}

Status WriteTopology(const Session& s, const State& st) {
  FOREST_ASSIGN_OR_RETURN(std::string text, shell::TopologyYaml(s.config, st));
  FOREST_TRY(MakeDirs(s.dir));
  return WriteFileAtomic(s.dir + "/topology.yaml", text);
}

}  // namespace forest::shellhost

// forest shell's state on the host: the lock, shell.json (the jails), the
// shell forest's topology and plan written from it, and picking a jail.
#pragma once

#include <memory>
#include <string>

#include "base/files.h"
#include "base/result.h"
#include "plan/plan.h"
#include "shell/jail.h"
#include "shellhost/session.h"
#include "topology/topology.h"

namespace forest::shellhost {

// The shell forest's state lock (read-modify-write of shell.json).
Result<std::unique_ptr<FileLock>> Lock(const Session& s);

// A command's start: the session, its state and, when asked, the lock, held
// until the Opened is destroyed.
struct Opened {
  Session s;
  shell::State st;
  std::unique_ptr<FileLock> lock;
};
Result<Opened> OpenState(const Flags& f, bool lock);

// shell.json (empty when missing), and its atomic rewrite.
Result<shell::State> LoadState(const Session& s);
Status SaveState(const Session& s, const shell::State& st);
// Replaces the record of `jail` in `st` and saves it.
Status RecordJail(const Session& s, shell::State& st, const shell::Jail& jail);

// A new jail record for the workspace and slot from the session's settings.
Result<shell::Jail> NewJail(const Session& s, const shell::State& st, int slot);

// The jail a subcommand means: NAME, else the workspace's only jail (or its slot 1).
Result<shell::Jail> Pick(const Session& s, const shell::State& st, const std::string& name);

// The shell forest as planned: its topology.yaml (written from shell.json)
// and the slots remembered beside it.
struct ShellForest {
  std::string text;  // topology.yaml's bytes, as parsed
  topology::Topology topology;
  plan::Plan plan;  // points into `topology`
};
// `with_slots` = false plans without the remembered slots (removal).
Result<std::unique_ptr<ShellForest>> LoadForest(const Session& s, bool with_slots = true);
// Writes the shell forest's topology.yaml for the jails in `st`.
Status WriteTopology(const Session& s, const shell::State& st);

}  // namespace forest::shellhost

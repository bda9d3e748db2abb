// forest shell's jails: what one is (a root of the shell forest), how it is
// named, where its state lives, and the topology the shell forest is
// converged from. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "shell/config.h"
#include "topology/topology.h"

namespace forest::shell {

// Who runs `forest shell`: the jail user has the same ids, so files in the
// workspace keep their owner both ways (the mount is idmapped, never chowned).
struct Invoker {
  unsigned uid = 0;
  unsigned gid = 0;
  std::string user = "root";
};

struct Jail {
  std::string name;       // its label: <workspace base>-<hash>-<slot>
  std::string workspace;  // absolute host path, mounted at /workspace
  int slot = 1;           // parallel jails on one workspace: 1, 2, ...
  int index = 1;          // its root slot in the shell forest (1..4095): uplink and prefix
  bool persistent = false;
  std::string tool = "shell";
  std::string image;  // "" = forest's node image
  NetMode network = NetMode::kRestricted;
  std::vector<std::string> allow;
  Invoker user;
  topology::Limits limits;
  bool hardened = false;
  bool ssh_agent = false;
  std::vector<Mount> mounts;
  std::vector<std::string> readonly_paths;  // workspace-relative (shell/protect.h), refreshed at each start
  std::string home;                         // the jail user's home, once prepared
  int64_t created = 0;                      // unix seconds
};

struct State {
  std::vector<Jail> jails;
  const Jail* Find(const std::string& name) const;
  const Jail* Find(const std::string& workspace, int slot) const;
};

// shell.json: {"jails": [...]}; errors name `file`.
Result<State> ParseState(const std::string& text, const std::string& file);
std::string StateJson(const State& s);

// Six hex digits naming a workspace path (FNV-1a), stable across runs.
std::string WorkspaceHash(const std::string& workspace);
// "<base>-<hash>-<slot>": base is the workspace's last component folded to
// [a-z0-9-] (at most 20 characters; "ws" when nothing is left).
std::string JailName(const std::string& workspace, int slot);
// Saved tool sessions (what --resume restores) live in
// <sessions>/<workspace hash>/<tool>/<id>/. An id is the save's UTC time and
// the jail's slot, "20261201-211500-s1": ids sort by age. `taken` holds the
// ids already there; a clash gets "-2", "-3", ...
std::string SessionId(int64_t unix_seconds, int slot, const std::vector<std::string>& taken);
// Whether `name` has the shape SessionId makes (the directory reads nothing else).
bool IsSessionId(const std::string& name);
// The newest of `ids` ("" when empty).
std::string LatestSession(std::vector<std::string> ids);
// The ids beyond the newest `keep`, oldest first: what a save prunes.
std::vector<std::string> SessionsToPrune(std::vector<std::string> ids, size_t keep);
inline constexpr size_t kKeptSessions = 10;

// The lowest index in 1..4095 no jail holds; 0 when all are taken.
int FreeIndex(const State& s);
// The jail's delegated prefix: the first 32 bits of `prefix_base`, then the
// index as the third group, /48 (each level below adds a nibble).
Result<std::string> JailPrefix(const std::string& prefix_base, int index);

// What the defaults are taken from: the host's online CPUs and pid_max.
struct HostFacts {
  unsigned cpus = 1;
  long pid_max = 32768;
};
// A jail's limits when no layer or flag sets them, so that one jail cannot
// take the host down: every CPU but one (at least one), half the host's
// memory ("50%", which Incus reads against the host's RAM at start), and
// pid_max / 8 processes (threads count), kept within 1000..10000.
topology::Limits DefaultLimits(const HostFacts& h);
// `set` with each empty field taken from `defaults`.
topology::Limits WithDefaults(topology::Limits set, const topology::Limits& defaults);

// The shell forest's topology: the host side from `c.host`, one root per jail
// (edge, its index as slot, its /48, its limits, the workspace and mounts).
Result<std::string> TopologyYaml(const Config& c, const State& s);

}  // namespace forest::shell

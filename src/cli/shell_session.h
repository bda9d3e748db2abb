// forest shell's operations on the host: configuration for a workspace, the
// jail state file, converging a jail (a root of the shell forest), its
// network policy, running the tool as the jail user, saving and restoring
// tool state, and removing jails. The CLI (shell_cmd.cc) only wires flags.
#pragma once

#include <string>
#include <vector>

#include "base/files.h"
#include "base/result.h"
#include "incus/client.h"
#include "shell/config.h"
#include "shell/jail.h"

namespace forest::cli::shell_session {

// Command-line flags that override the configuration layers.
struct Flags {
  std::string workspace;  // default: the current directory
  std::string profile;
  std::string tool;
  std::string image;
  std::string network;
  std::vector<std::string> allow;
  std::vector<std::string> env;     // KEY=VALUE
  std::vector<std::string> mounts;  // SRC:DST[:rw]
  bool persistent = false;
  bool ssh_agent = false;
  bool hardened = false;
  topology::Limits limits;
};

struct Session {
  shell::Config config;
  std::string workspace;  // real path
  shell::Invoker me;
  std::string dir;           // state dir of the shell forest: topology.yaml, shell.json
  std::string sessions_dir;  // saved tool state: <dir>-sessions/<workspace hash>/<tool>/
  std::string Project() const { return "forest-" + config.forest; }
  incus::Client Client() const { return incus::Client::Local(Project()); }
};

// Loads the layers for the workspace, then the profile, then the flags.
Result<Session> Open(const Flags& f);

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

// A new jail record for the workspace and slot from the session's settings.
Result<shell::Jail> NewJail(const Session& s, const shell::State& st, int slot);

// Makes `jail` run: writes the forest's topology, loads the network policy
// for every jail, converges the host level and this jail only, prepares its
// user and ssh-agent relay. Progress goes to stderr. Returns the user's home.
// A jail that is not running with a prepared user (a stopped one, or one a
// failed start left) is converged whole: its protected paths are made and
// checked again and `jail.home` is cleared in `st` (saved) until it is ready,
// so a half-built jail is never taken for a ready one.
struct Ready {
  std::string user;
  std::string home;
};
Result<Ready> Converge(Session& s, shell::State& st, shell::Jail& jail, bool guard_uplink);

// The agent socket to relay for a jail that `wanted` one: `env`
// (SSH_AUTH_SOCK) when it names a socket, else an error with the fix (sudo
// drops SSH_AUTH_SOCK unless told to keep it). "" when not wanted.
Result<std::string> AgentSocket(bool wanted, const char* env);

// The workspace's protected paths (shell/protect.h) for `tool`: missing ones
// made (owned like .git), none reached through a symlink. Returns the paths
// to mount read-only.
Result<std::vector<std::string>> ProtectWorkspace(const std::string& workspace, const shell::Config& c,
                                                  const shell::Tool& tool);
// Removes the placeholders among `paths` that still hold only what forest
// put there (once no jail uses the workspace).
void DropPlaceholders(const std::string& workspace, const std::vector<std::string>& paths);
// The host's CPUs and pid_max, for the default limits.
shell::HostFacts ReadHostFacts();

// The jail's environment for the user: only what forest sets and what the
// configuration names (`env`, `--env`).
std::vector<std::string> UserEnv(const Session& s, const shell::Jail& jail, const Ready& r);

// Runs argv as the jail user in /workspace through the incus client (a
// terminal when stdin is one); returns its exit code.
Result<int> RunAsUser(const Session& s, const shell::Jail& jail, const Ready& r,
                      const std::vector<std::string>& argv);

// argv run as the jail user: setpriv with its uid, gid and its groups from
// the jail's /etc/group (`incus` among them); `incus exec --user` would drop
// the supplementary groups.
std::vector<std::string> AsUser(const shell::Jail& jail, const std::vector<std::string>& argv);

// Runs argv as the jail's root (operator actions from the host: installing
// packages, inspecting); returns its exit code.
Result<int> RunAsRoot(const Session& s, const shell::Jail& jail, const std::vector<std::string>& argv);

// Whether the jail's tmux session is still there (detached, not exited).
bool TmuxAlive(const Session& s, const shell::Jail& jail, const Ready& r);

// Tool state: pulled into sessions_dir after a session (never following
// symlinks), pushed back into the home by --resume.
Status SaveToolState(const Session& s, const shell::Jail& jail, const Ready& r);
// `id` "" = the newest saved session; otherwise that one (an error names the saved ids).
Status RestoreToolState(const Session& s, const shell::Jail& jail, const Ready& r, const std::string& id);
// The ids of the sessions saved under a <workspace hash>/<tool> directory.
std::vector<std::string> SavedSessionIds(const std::string& dir);

// Deletes the jail's instance and profile and drops it from the state and
// the network policy.
Status Remove(Session& s, shell::State& st, const std::string& name);
// Removes the whole shell forest (every jail, the helper, project, bridge).
Status RemoveAll(Session& s);

// Re-renders and loads the nftables table for the jails in `st` (removes it
// when there are none). Allowlisted names are resolved on the host.
Status ApplyNetPolicy(const Session& s, const shell::State& st);

// Whether nftables has `inet <table>` loaded (the policy, for health).
bool TableLoaded(const std::string& table);
// The shell forest's policy table (`inet forest_shell_<forest>`), and its
// removal (quiet when it is not loaded): `forest down` of a shell forest.
std::string PolicyTable(const std::string& forest);
void DropPolicyTable(const std::string& forest);

// The jail user's name and home: recorded in the state once prepared (for
// exec/tmux/attach, no round trip), else Prepare.
Result<Ready> UserOf(const Session& s, const shell::Jail& jail);
// Runs templates/shell/prepare.sh in the jail: the user with the invoker's
// ids, its subordinate ids and runtime directory.
Result<Ready> Prepare(const Session& s, const shell::Jail& jail);

}  // namespace forest::cli::shell_session

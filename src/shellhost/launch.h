// Launching a forest shell jail on the host: converging it as a root of the
// shell forest (topology, policy, host level, this jail only), its
// ssh-agent relay, and the jail user made by templates/shell/prepare.sh.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// What a launch installs from the host, given by the caller.
struct LaunchOptions {
  bool guard_uplink = false;  // drop shell-forest traffic towards the uplink (tests)
  std::string self_binary;    // this forest binary, installed into every node
  // The host's keys that may log in as root; asked only when the jail is
  // converged (not on the warm path of a ready one).
  std::function<std::string()> authorized_keys;
};

// Makes `jail` run: writes the forest's topology, loads the network policy
// for every jail, converges the host level and this jail only, prepares its
// user and ssh-agent relay. Progress goes to stderr. Returns the user's home.
// A jail that is not running with a prepared user (a stopped one, or one a
// failed start left) is converged whole: its protected paths are made and
// checked again and `jail.home` is cleared in `st` (saved) until it is ready,
// so a half-built jail is never taken for a ready one.
Result<Ready> Converge(Session& s, shell::State& st, shell::Jail& jail, const LaunchOptions& o);

// The agent socket to relay for a jail that `wanted` one: `env`
// (SSH_AUTH_SOCK) when it names a socket, else an error with the fix (sudo
// drops SSH_AUTH_SOCK unless told to keep it). "" when not wanted.
Result<std::string> AgentSocket(bool wanted, const char* env);

// The jail user's name and home: recorded in the state once prepared (for
// exec/tmux/attach, no round trip), else Prepare.
Result<Ready> UserOf(const Session& s, const shell::Jail& jail);
// Runs templates/shell/prepare.sh in the jail: the user with the invoker's
// ids, its subordinate ids and runtime directory.
Result<Ready> Prepare(const Session& s, const shell::Jail& jail);
// prepare.sh's output: its last line is "USER HOME".
Result<Ready> ParsePrepared(const std::string& jail, std::string out);

}  // namespace forest::shellhost

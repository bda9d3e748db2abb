// `forest exec -t`: a command with a terminal, in a node some levels down.
// Every hop is the incus client's `incus exec -t`, which puts the caller's
// terminal in raw mode, passes window size changes on and gives the command
// a pseudo-terminal; below the first level, each node's forest takes the
// next hop the same way (`forest node-exec -t`), so the command's terminal is
// one pty per level deep, as with ssh -t through jump hosts.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace forest::up {

// The incus client's argv for the first hop: into path[0] (in `project`, or
// the client's default when empty), with the rest of the path hopped by the
// node's forest.
std::vector<std::string> TtyExecArgv(const std::string& project, const std::vector<std::string>& path,
                                     const std::vector<std::string>& argv);

// Runs TtyExecArgv's command with this process's stdio; the command's exit
// code (127: the incus client could not start).
Result<int> ExecPathTty(const std::string& project, const std::vector<std::string>& path,
                        const std::vector<std::string>& argv);

}  // namespace forest::up

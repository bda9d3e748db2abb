// forest shell's command files (shell_cmd.cc, shell_ops_cmd.cc): what they
// share. The operations themselves are in src/shellhost.
#pragma once

#include "cli/command.h"
#include "shellhost/state.h"

namespace forest::cli {

namespace ss = ::forest::shellhost;

// The session for the flags, in the state root `forest up` uses.
Result<ss::Session> OpenShellSession(ss::Flags f);
// The same with the state (and the lock when asked).
Result<ss::Opened> OpenShellState(ss::Flags f, bool lock);

void AddShellOpsCommands(CLI::App* shell, Context& ctx);  // shell_ops_cmd.cc

}  // namespace forest::cli

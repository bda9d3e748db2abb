// Running commands in a forest shell jail from the host: as the jail user
// (setpriv with its ids and groups, only forest's and the configuration's
// environment, in /workspace) or as the jail's root, on a terminal through
// the incus client or captured over the API; the tool's tmux session.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "incus/api.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// The jail's environment for the user: only what forest sets and what the
// configuration names (`env`, `--env`). `term` is the host's TERM (or null).
std::vector<std::string> UserEnv(const Session& s, const shell::Jail& jail, const Ready& r, const char* term);

// argv run as the jail user: setpriv with its uid, gid and its groups from
// the jail's /etc/group (`incus` among them); `incus exec --user` would drop
// the supplementary groups.
std::vector<std::string> AsUser(const shell::Jail& jail, const std::vector<std::string>& argv);

// The incus client's command line that runs argv as the jail user in
// /workspace (`tty`: with a terminal), and as the jail's root.
std::vector<std::string> UserCommand(const Session& s, const shell::Jail& jail, const Ready& r,
                                     const std::vector<std::string>& argv, bool tty);
std::vector<std::string> RootCommand(const Session& s, const shell::Jail& jail,
                                     const std::vector<std::string>& argv, bool tty);

// Runs argv as the jail user in /workspace through the incus client (a
// terminal when stdin is one); returns its exit code.
Result<int> RunAsUser(const Session& s, const shell::Jail& jail, const Ready& r,
                      const std::vector<std::string>& argv);
// Runs argv as the jail's root (operator actions from the host: installing
// packages, inspecting); returns its exit code.
Result<int> RunAsRoot(const Session& s, const shell::Jail& jail, const std::vector<std::string>& argv);

// argv as the jail user in /workspace, its output collected (exec --capture).
std::vector<std::string> CaptureCommand(const Session& s, const shell::Jail& jail, const Ready& r,
                                        const std::vector<std::string>& argv);
Result<incus::ExecResult> Capture(const Session& s, const shell::Jail& jail, const Ready& r,
                                  const std::vector<std::string>& argv);

// The tool in the jail's tmux session (made, or joined when it is there).
std::vector<std::string> ToolCommand(const Session& s, const shell::Jail& jail);
// Whether the jail's tmux session is still there (detached, not exited).
bool TmuxAlive(const Session& s, const shell::Jail& jail, const Ready& r);
// `tmux ARGS...` as the jail user; its stdout, or an error with its stderr.
Result<std::string> Tmux(const Session& s, const shell::Jail& jail, const Ready& r,
                         const std::vector<std::string>& args);

}  // namespace forest::shellhost

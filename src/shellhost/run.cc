#include "shellhost/run.h"

#include <unistd.h>

#include <cstdlib>

#include "incus/cli_exec.h"

namespace forest::shellhost {

using shell::Jail;

std::vector<std::string> UserEnv(const Session& s, const Jail& jail, const Ready& r, const char* term) {
  std::vector<std::string> env = {
      "HOME=" + r.home,
      "USER=" + r.user,
      "LOGNAME=" + r.user,
      "SHELL=/bin/bash",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "LANG=C.UTF-8",
      "XDG_RUNTIME_DIR=/run/user/" + std::to_string(jail.user.uid),
      "FOREST_JAIL=" + jail.name,
  };
  if (term && *term) env.push_back(std::string("TERM=") + term);
  if (jail.ssh_agent) env.push_back(std::string("SSH_AUTH_SOCK=") + kAgentSocket);
  for (const auto& [k, v] : s.config.env) env.push_back(k + "=" + v);
  return env;
}

std::vector<std::string> UserCommand(const Session& s, const Jail& jail, const Ready& r,
                                     const std::vector<std::string>& argv, bool tty) {
  std::vector<std::string> user = {"env", "-i"};
  for (const auto& e : UserEnv(s, jail, r, std::getenv("TERM"))) user.push_back(e);
  user.insert(user.end(), argv.begin(), argv.end());
  std::vector<std::string> cmd = {"incus", "exec",       "--project",       s.Project(), jail.name,
                                  "--cwd", "/workspace", tty ? "-t" : "-T", "--"};
  for (auto& a : AsUser(jail, user)) cmd.push_back(std::move(a));
  return cmd;
}

std::vector<std::string> RootCommand(const Session& s, const Jail& jail, const std::vector<std::string>& argv,
                                     bool tty) {
  std::vector<std::string> cmd = {"incus",           "exec", "--project", s.Project(), jail.name,
                                  tty ? "-t" : "-T", "--"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  return cmd;
}

Result<int> RunAsUser(const Session& s, const Jail& jail, const Ready& r,
                      const std::vector<std::string>& argv) {
  bool tty = isatty(0) && isatty(1);
  auto cmd = UserCommand(s, jail, r, argv, tty);
  int rc =
      tty ? incus::RunClient(cmd, incus::ClientConfDir()) : incus::RunCliExec(cmd, incus::ClientConfDir());
  if (rc < 0) return MakeError("cannot run the incus client (is it installed? `forest doctor`)");
  return rc;
}

Result<int> RunAsRoot(const Session& s, const Jail& jail, const std::vector<std::string>& argv) {
  bool tty = isatty(0) && isatty(1);
  auto cmd = RootCommand(s, jail, argv, tty);
  int rc =
      tty ? incus::RunClient(cmd, incus::ClientConfDir()) : incus::RunCliExec(cmd, incus::ClientConfDir());
  if (rc < 0) return MakeError("cannot run the incus client (is it installed? `forest doctor`)");
  return rc;
}

std::vector<std::string> AsUser(const Jail& jail, const std::vector<std::string>& argv) {
  // The user's own groups from the jail's /etc/group (`incus` among them,
  // for the agent's restricted Incus project); root has none of its own.
  std::vector<std::string> out = {"setpriv",
                                  "--reuid",
                                  std::to_string(jail.user.uid),
                                  "--regid",
                                  std::to_string(jail.user.gid),
                                  jail.user.uid == 0 ? "--clear-groups" : "--init-groups",
                                  "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool TmuxAlive(const Session& s, const Jail& jail, const Ready& r) {
  auto c = s.Client();
  auto res = incus::Exec(
      c, jail.name, AsUser(jail, {"env", "-i", "HOME=" + r.home, "tmux", "has-session", "-t", kTmuxSession}));
  return res.ok() && res->exit_code == 0;
}

std::vector<std::string> CaptureCommand(const Session& s, const Jail& jail, const Ready& r,
                                        const std::vector<std::string>& argv) {
  std::vector<std::string> cmd = {"env", "-i"};
  for (const auto& e : UserEnv(s, jail, r, std::getenv("TERM"))) cmd.push_back(e);
  cmd.push_back("sh");
  cmd.push_back("-c");
  cmd.push_back("cd /workspace && exec \"$@\"");
  cmd.push_back("sh");
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  return AsUser(jail, cmd);
}

Result<incus::ExecResult> Capture(const Session& s, const Jail& jail, const Ready& r,
                                  const std::vector<std::string>& argv) {
  auto c = s.Client();
  return incus::Exec(c, jail.name, CaptureCommand(s, jail, r, argv));
}

std::vector<std::string> ToolCommand(const Session& s, const Jail& jail) {
  std::vector<std::string> argv = {"tmux", "new-session", "-A", "-s", kTmuxSession, "-c", "/workspace"};
  const auto& tool = s.config.tools.at(jail.tool);
  argv.insert(argv.end(), tool.command.begin(), tool.command.end());
  return argv;
}

Result<std::string> Tmux(const Session& s, const Jail& jail, const Ready& r,
                         const std::vector<std::string>& args) {
  std::vector<std::string> full = {"env", "-i", "HOME=" + r.home, "tmux"};
  full.insert(full.end(), args.begin(), args.end());
  auto c = s.Client();
  FOREST_ASSIGN_OR_RETURN(auto res, incus::Exec(c, jail.name, AsUser(jail, full)));
  if (res.exit_code != 0) return MakeError(jail.name + ": tmux: " + res.err);
  return res.out;
}

}  // namespace forest::shellhost

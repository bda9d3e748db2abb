#include "up/exec_tty.h"

#include "incus/cli_exec.h"
#include "up/converge.h"

namespace forest::up {

std::vector<std::string> TtyExecArgv(const std::string& project, const std::vector<std::string>& path,
                                     const std::vector<std::string>& argv) {
  std::vector<std::string> cmd = {"incus", "exec"};
  if (!project.empty()) cmd.insert(cmd.end(), {"--project", project});
  if (path.empty()) return cmd;
  cmd.insert(cmd.end(), {path[0], "-t", "--"});
  if (path.size() > 1) {
    cmd.insert(cmd.end(), {kBinaryPath, "node-exec", "-t"});
    cmd.insert(cmd.end(), path.begin() + 1, path.end());
    cmd.push_back("--");
  }
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  return cmd;
}

Result<int> ExecPathTty(const std::string& project, const std::vector<std::string>& path,
                        const std::vector<std::string>& argv) {
  if (path.empty()) return MakeError("exec: empty node path");
  if (argv.empty()) return MakeError("exec: no command");
  return incus::RunClient(TtyExecArgv(project, path, argv), incus::ClientConfDir());
}

}  // namespace forest::up

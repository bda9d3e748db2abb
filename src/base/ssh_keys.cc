#include "base/ssh_keys.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "base/files.h"
#include "base/invoker.h"

namespace forest {

std::string HostAuthorizedKeys(ProcessRunner& runner) {
  namespace fs = std::filesystem;
  std::string keys;
  if (std::getenv("SSH_AUTH_SOCK")) {
    auto listed = runner.Run({.argv = {"ssh-add", "-L"}, .err = Stdio::kNull});
    if (listed.ok() && listed->ok()) {
      std::istringstream in(listed->out);
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("ssh-", 0) == 0 || line.rfind("ecdsa-", 0) == 0) keys += line + "\n";
      }
    }
  }
  const char* env_home = std::getenv("HOME");
  std::string home = env_home ? env_home : "";
  if (auto me = CurrentInvoker(); me.ok() && me->sudo) home = me->home;
  if (home.empty()) return keys;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(home) / ".ssh", ec)) {
    if (e.path().extension() == ".pub" && e.path().filename().string().rfind("id_", 0) == 0) {
      if (auto r = ReadFile(e.path().string()); r.ok()) keys += *r;
    }
  }
  return keys;
}

}  // namespace forest

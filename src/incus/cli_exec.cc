#include "incus/cli_exec.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/process.h"
#include "incus/exec_marks.h"

namespace forest::incus {

// incusd 6.0 sometimes loses the pid of a command it starts ("Failed to
// retrieve PID of executing child process"), before or after the command ran
// (lxc's attach can fail once it runs). The command is wrapped so that its
// first byte on stderr is a start mark (as incus/exec_stream.cc does); the
// client's stderr passes through a pipe that takes the mark out and holds
// back that one error line. Without the mark the command did not run, and the
// exec is started again, twice at most, when stdin can be given again: a
// terminal or /dev/null, or a regular file (rewound). Other output passes at
// once (a partial line unless it may be that error).
namespace {

// The client with INCUS_CONF=CONF (when set), stdin and stdout this
// process's; stderr too unless the caller captures it.
Command ClientCommand(const std::vector<std::string>& argv, const std::string& conf) {
  Command c;
  c.argv = argv;
  if (!conf.empty()) c.env["INCUS_CONF"] = conf;
  c.in = c.out = c.err = Stdio::kInherit;
  return c;
}

// Its exit code, 128 + the signal that ended it, or 127 when it could not
// start (as a shell says).
int ExitOf(const Result<ProcessResult>& r) { return r.ok() ? ShellExitCode(*r) : 127; }

}  // namespace

std::string ClientConfDir() {
  if (const char* c = std::getenv("INCUS_CONF"); c && *c) return c;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) != 0 || !found || !found->pw_dir) return "";
  return std::string(found->pw_dir) + "/.config/incus";
}

int RunClient(const std::vector<std::string>& argv, const std::string& conf) {
  return ExitOf(SystemRunner().Run(ClientCommand(argv, conf)));
}

int RunCliExec(const std::vector<std::string>& client_argv, const std::string& conf) {
  std::vector<std::string> argv = client_argv;
  if (auto dd = std::find(argv.begin(), argv.end(), "--"); dd != argv.end()) {
    std::vector<std::string> cmd = MarkedCommand(std::vector<std::string>(dd + 1, argv.end()));
    argv.erase(dd + 1, argv.end());
    argv.insert(argv.end(), cmd.begin(), cmd.end());
  }
  struct stat st {};
  bool have = fstat(0, &st) == 0;
  off_t at = have && S_ISREG(st.st_mode) ? lseek(0, 0, SEEK_CUR) : -1;
  bool replayable = have && (S_ISCHR(st.st_mode) || at >= 0);
  auto put = [](std::string_view b) {
    while (!b.empty()) {
      ssize_t n = write(2, b.data(), b.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      b.remove_prefix(static_cast<size_t>(n));
    }
  };
  for (int attempt = 0;; ++attempt) {
    bool lost = false, started = false;
    std::string held, pending;  // held: the lost-pid line; pending: a line start that may be it
    Command c = ClientCommand(argv, conf);
    c.err = Stdio::kCapture;
    c.keep_output = false;
    c.on_output = [&](int, std::string_view got) {
      if (!started) {
        if (auto m = got.find(kExecMark); m != std::string_view::npos) {
          started = true;
          pending.append(got.substr(0, m));
          got.remove_prefix(m + 1);
        }
      }
      pending.append(got);
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string one = pending.substr(0, nl + 1);
        pending.erase(0, nl + 1);
        if (one.find(kLostPid) != std::string::npos) {
          lost = true;
          held += one;
        } else {
          put(one);
        }
      }
      // A partial line is held only while it may still become the error.
      if (!pending.empty() && pending.rfind("Error:", 0) != 0 && std::string_view("Error:").rfind(pending, 0) != 0) {
        put(pending);
        pending.clear();
      }
    };
    int rc = ExitOf(SystemRunner().Run(c));
    if (pending.find(kLostPid) != std::string::npos) {
      lost = true;
      held += pending;
    } else {
      put(pending);
    }
    if (rc != 0 && lost && !started && replayable && attempt < 2 && (at < 0 || lseek(0, at, SEEK_SET) == at)) continue;
    put(held);
    return rc;
  }
}

}  // namespace forest::incus

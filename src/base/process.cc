#include "base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

extern char** environ;

namespace forest {
namespace {

// A pipe end that closes itself.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool MakePipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return false;
  read_end.fd = p[0];
  write_end.fd = p[1];
  return true;
}

std::vector<std::string> Environment(const std::map<std::string, std::string>& add) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && add.count(std::string(kv.substr(0, eq)))) continue;
    out.emplace_back(kv);
  }
  for (const auto& [k, v] : add) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// SIGPIPE blocked in this thread while it writes a child's stdin (a child
// that exits without reading must not end this process); the write then
// fails with EPIPE and the pending signal is taken back.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old_, SIGPIPE)) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      timespec zero{};
      sigtimedwait(&pipe_only, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  const sigset_t& old() const { return old_; }

 private:
  sigset_t old_;
};

class RealRunner final : public ProcessRunner {
 public:
  Result<ProcessResult> Run(const Command& c) override;
};

Result<ProcessResult> RealRunner::Run(const Command& c) {
  if (c.argv.empty()) return MakeError("run: empty argv");
  const std::string& name = c.argv[0];
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  bool feed = c.in == Stdio::kCapture && c.stdin_text.has_value();
  if (feed && !MakePipe(in_r, in_w)) return MakeError(name + ": pipe: " + std::strerror(errno));
  if (c.out == Stdio::kCapture && !MakePipe(out_r, out_w))
    return MakeError(name + ": pipe: " + std::strerror(errno));
  bool err_pipe = c.err == Stdio::kCapture && !(c.merge_stderr && c.out == Stdio::kCapture);
  if (err_pipe && !MakePipe(err_r, err_w)) return MakeError(name + ": pipe: " + std::strerror(errno));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  auto stream = [&](int target, Stdio mode, const Fd& pipe_end, int flags) {
    if (mode == Stdio::kInherit) return;
    if (mode == Stdio::kCapture && pipe_end.fd >= 0) {
      posix_spawn_file_actions_adddup2(&fa, pipe_end.fd, target);
    } else {
      posix_spawn_file_actions_addopen(&fa, target, "/dev/null", flags, 0);
    }
  };
  stream(0, c.in, in_r, O_RDONLY);
  stream(1, c.out, out_w, O_WRONLY);
  if (c.merge_stderr && c.out == Stdio::kCapture) {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    stream(2, c.err, err_w, O_WRONLY);
  }

  SigpipeBlock block;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setsigmask(&attr, &block.old());
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  // With a deadline the child leads its own process group, so that what it
  // started dies with it.
  if (c.timeout) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);

  std::vector<std::string> argv = c.argv;
  std::vector<std::string> env = Environment(c.env);
  auto cargv = CStrings(argv);
  auto cenv = CStrings(env);
  if (c.out == Stdio::kInherit || c.err == Stdio::kInherit) {
    std::cout.flush();
    std::cerr.flush();
  }
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, name.c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return MakeError("cannot run " + name + ": " + std::strerror(rc));
  in_r.Close();
  out_w.Close();
  err_w.Close();
  // Our ends never block: a child that writes while we feed its stdin
  // must not wait on us while we wait on it.
  for (int fd : {in_w.fd, out_r.fd, err_r.fd}) {
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }

  ProcessResult r;
  const bool has_deadline = c.timeout.has_value();
  const auto deadline = std::chrono::steady_clock::now() + c.timeout.value_or(std::chrono::milliseconds(0));
  std::string_view to_write = feed ? std::string_view(*c.stdin_text) : std::string_view();
  if (feed && to_write.empty()) in_w.Close();
  bool killed = false;
  char buf[65536];
  while (in_w.fd >= 0 || out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[3];
    int n = 0;
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    int wait_ms = -1;
    if (has_deadline && !killed) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait_ms = left.count() < 0 ? 0 : static_cast<int>(left.count());
    }
    int got = poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    if (got == 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      killed = true;
      in_w.Close();
      continue;
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_w.fd) {
        ssize_t w = write(in_w.fd, to_write.data(), to_write.size());
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (w <= 0) {
          in_w.Close();
          continue;
        }
        to_write.remove_prefix(static_cast<size_t>(w));
        if (to_write.empty()) in_w.Close();
        continue;
      }
      Fd& src = fds[i].fd == out_r.fd ? out_r : err_r;
      int which = &src == &out_r ? 1 : 2;
      ssize_t m = read(src.fd, buf, sizeof buf);
      if (m < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (m <= 0) {
        src.Close();
        continue;
      }
      std::string_view bytes(buf, static_cast<size_t>(m));
      if (c.on_output) c.on_output(which, bytes);
      if (c.keep_output) (which == 1 ? r.out : r.err).append(bytes);
    }
  }
  // Nothing left to read: wait for it (with the deadline still in force).
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, has_deadline && !killed ? WNOHANG : 0);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return MakeError(name + ": waitpid: " + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      killed = true;
      continue;
    }
    usleep(10000);
  }
  r.timed_out = killed;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else {
    r.exit_code = -1;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return r;
}

}  // namespace

int ShellExitCode(const ProcessResult& r) { return r.signal ? 128 + r.signal : r.exit_code; }

std::string DescribeFailure(const Command& c, const ProcessResult& r) {
  std::string what;
  for (const auto& a : c.argv) {
    if (what.size() > 120) {
      what += " …";
      break;
    }
    what += (what.empty() ? "" : " ") + a;
  }
  std::string how = r.timed_out ? "killed after " + std::to_string(c.timeout ? c.timeout->count() : 0) + " ms"
                    : r.signal  ? "killed by signal " + std::to_string(r.signal)
                                : "exit " + std::to_string(r.exit_code);
  std::string said = r.err.empty() ? r.out : r.err;
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  return what + ": " + how + (said.empty() ? "" : ": " + said);
}

Result<ProcessResult> RunOk(ProcessRunner& runner, const Command& c) {
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner.Run(c));
  if (!r.ok()) return MakeError(DescribeFailure(c, r));
  return r;
}

ProcessRunner& SystemRunner() {
  static RealRunner runner;
  return runner;
}

Error ReplaceProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) return MakeError("nothing to run");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  execvp(args[0], args.data());
  return MakeError("cannot run " + argv[0] + ": " + std::strerror(errno));
}

}  // namespace forest

// Starting programs: argv only, never a shell string. Every process forest
// starts goes through a ProcessRunner; SystemRunner() is the real one
// (posix_spawnp), FakeProcessRunner (base/fake_process.h) its twin for tests.
// A command that really is a pipeline or a script says so: argv
// {"sh", "-c", script, "name", value...} with the values as "$1"..., never
// spliced into the script.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest {

// Where a child's standard stream goes.
enum class Stdio {
  kCapture,  // a pipe this process reads (stdout/stderr) or writes `stdin_text` to (stdin)
  kInherit,  // this process's own (a terminal, for interactive commands)
  kNull,     // /dev/null
};

struct Command {
  std::vector<std::string> argv{};  // argv[0] is looked up on PATH
  // Text written to the child's stdin (then closed); without it stdin is
  // /dev/null unless `in` says kInherit.
  std::optional<std::string> stdin_text{};
  std::map<std::string, std::string> env{};  // added to (or replacing in) this process's environment
  // Killed (SIGKILL, with its process group) when it runs longer.
  std::optional<std::chrono::milliseconds> timeout{};
  Stdio in = Stdio::kCapture;  // kCapture: stdin_text, or /dev/null without one
  Stdio out = Stdio::kCapture;
  Stdio err = Stdio::kCapture;
  bool merge_stderr = false;  // stderr into the stdout pipe (as `2>&1`)
  // Called with (1 or 2, bytes) as captured output arrives; the bytes are
  // also kept in ProcessResult unless `keep_output` is false.
  std::function<void(int fd, std::string_view bytes)> on_output{};
  bool keep_output = true;
};

struct ProcessResult {
  int exit_code = 0;       // the exit status; -1 when a signal ended it
  int signal = 0;          // the signal that ended it (0: it exited)
  bool timed_out = false;  // killed because `timeout` passed
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && signal == 0 && !timed_out; }
};

// The exit code as a shell reports it: the status, or 128 + the signal.
int ShellExitCode(const ProcessResult& r);

// "argv[0] ...: exit 3: <stderr or stdout, trimmed>" for error messages.
std::string DescribeFailure(const Command& c, const ProcessResult& r);

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs the command to its end. An error only when it could not be started
  // (no such program, no fork); a non-zero exit is a result.
  virtual Result<ProcessResult> Run(const Command& c) = 0;
};

// Run, and an error unless it exited 0 (DescribeFailure).
Result<ProcessResult> RunOk(ProcessRunner& runner, const Command& c);

// The real runner (stateless; one for the process).
ProcessRunner& SystemRunner();

// Replaces this process with ARGV (execvp; `forest ssh` becomes ssh). It
// returns only when that failed, with why.
Error ReplaceProcess(const std::vector<std::string>& argv);

}  // namespace forest

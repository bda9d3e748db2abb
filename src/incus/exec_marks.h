#pragma once
// The marks forest's exec wrapper writes on a command's stderr, and their
// reading. incusd 6.0 sometimes loses the pid of a command it starts
// ("Failed to retrieve PID of executing child process"), before or after the
// command ran; the marks tell which, so a command is started again only when
// it did not run, and a command that ran keeps its result. Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forest::incus {

// ASCII RS: the first byte a wrapped command writes on stderr (it started)
// and, with an end mark, the byte before its exit code at the very end.
inline constexpr char kExecMark = '\036';

// The incusd message of the lost pid.
inline constexpr std::string_view kLostPid = "Failed to retrieve PID of executing child process";
bool IsLostPid(std::string_view message);

struct MarkOptions {
  // The command's stdin is /dev/null (a stdin that stays open otherwise).
  bool stdin_null = false;
  // The wrapper stays the command's parent and writes kExecMark, the exit
  // code and a newline as its last bytes on stderr. Without it the command
  // replaces the wrapper (signals and terminals reach it directly).
  bool end_mark = false;
};

// ARGV under `sh -c` with the marks.
std::vector<std::string> MarkedCommand(const std::vector<std::string>& argv, MarkOptions options = {});

// The command under MarkedCommand's wrapper (the argv as given), or
// `command` itself when it is not wrapped: what a test of a caller checks.
std::vector<std::string> Unmarked(const std::vector<std::string>& command);

struct MarkedStderr {
  bool started = false;          // the start mark came first
  std::optional<int> exit_code;  // the end mark's code, when it is there
  std::string text;              // stderr without the marks
};

// Reads the whole stderr of a marked command.
MarkedStderr ReadMarks(std::string_view err);

}  // namespace forest::incus

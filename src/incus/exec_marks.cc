#include "incus/exec_marks.h"

#include <charconv>

namespace forest::incus {

bool IsLostPid(std::string_view message) {
  return message.find("Failed to retrieve PID") != std::string_view::npos;
}

std::vector<std::string> MarkedCommand(const std::vector<std::string>& argv, MarkOptions options) {
  std::string script = "printf '\\036' >&2; ";
  std::string run = options.stdin_null ? "\"$@\" </dev/null" : "\"$@\"";
  script += options.end_mark ? run + "; s=$?; printf '\\036%d\\n' \"$s\" >&2; exit \"$s\"" : "exec " + run;
  std::vector<std::string> out = {"sh", "-c", script, "forest-exec"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> Unmarked(const std::vector<std::string>& command) {
  if (command.size() >= 4 && command[0] == "sh" && command[1] == "-c" && command[3] == "forest-exec" &&
      command[2].rfind("printf '\\036' >&2; ", 0) == 0) {
    return {command.begin() + 4, command.end()};
  }
  return command;
}

MarkedStderr ReadMarks(std::string_view err) {
  MarkedStderr m;
  if (err.empty() || err.front() != kExecMark) {
    m.text = std::string(err);
    return m;
  }
  m.started = true;
  err.remove_prefix(1);
  // The end mark: kExecMark, decimal digits, '\n', and nothing after.
  if (size_t at = err.rfind(kExecMark);
      at != std::string_view::npos && err.size() >= at + 3 && err.back() == '\n') {
    std::string_view code = err.substr(at + 1, err.size() - at - 2);
    int value = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), value);
    if (ec == std::errc() && end == code.data() + code.size() && code.front() != '-') {
      m.exit_code = value;
      err = err.substr(0, at);
    }
  }
  m.text = std::string(err);
  return m;
}

}  // namespace forest::incus

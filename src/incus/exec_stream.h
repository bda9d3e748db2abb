// Exec over Incus's websockets: output arrives while the command runs
// (progress of a nested `forest node-up`, `forest exec` of long commands).
// Short internal commands use Exec (record-output) in api.h instead.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "incus/api.h"
#include "incus/client.h"

namespace forest::incus {

// fd 1 = stdout, 2 = stderr.
using OutputSink = std::function<void(int fd, std::string_view bytes)>;

// Runs `argv` in `instance`, streaming its output to `sink`; returns the
// exit code. `socket_path` is the daemon's unix socket. The command's stdin
// is /dev/null, or with `stdin_fd` >= 0 what that descriptor gives (a pipe, a
// terminal, a file), streamed while the command runs, its end passed on as
// the command's end of input; once the command is done, what is left unread
// stays unread. With a client timeout (Client::WithTimeout), a command still
// running at the deadline is killed (SIGKILL through Incus) and the result is
// an error.
Result<int> ExecStream(Client& c, const std::string& socket_path, const std::string& instance,
                       const std::vector<std::string>& argv, const StringMap& env, const OutputSink& sink,
                       int stdin_fd = -1);

}  // namespace forest::incus

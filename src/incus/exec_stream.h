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

// Runs `argv` in `instance` with stdin closed, streaming its output to
// `sink`; returns the exit code. `socket_path` is the daemon's unix socket.
// With a client timeout (Client::WithTimeout), a command still running at
// the deadline is killed (SIGKILL through Incus) and the result is an error.
Result<int> ExecStream(Client& c, const std::string& socket_path, const std::string& instance,
                       const std::vector<std::string>& argv, const StringMap& env,
                       const OutputSink& sink);

}  // namespace forest::incus

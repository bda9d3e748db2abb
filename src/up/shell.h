// Running a shell command on this machine (a node's own preparation, its
// systemctl calls): output and exit code.
#pragma once

#include <string>

namespace forest::up {

// Runs `cmd` with sh, stderr folded into the returned output; *rc is the
// exit code (-1 when it could not run or was killed).
std::string Shell(const std::string& cmd, int* rc);

}  // namespace forest::up

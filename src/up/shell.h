// Deprecated: a shell string run with sh. Only forest shell's host
// operations (src/cli/shell_session.cc) still call it, until they move to
// base/process.h and base/nft.h; new code builds argv (ProcessRunner).
#pragma once

#include <string>

namespace forest::up {

// Runs `cmd` with `sh -c` (through SystemRunner()), stderr folded into the
// returned output; *rc is the exit code (-1 when it could not run or was
// killed).
std::string Shell(const std::string& cmd, int* rc);

}  // namespace forest::up

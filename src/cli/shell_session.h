// forest shell's host operations moved to src/shellhost; this name stays
// for callers outside forest shell's own command files (up_cmd.cc drops the
// policy table with `forest down`). New code includes shellhost/ directly.
#pragma once

#include "shellhost/policy.h"

namespace forest::cli {
namespace shell_session = ::forest::shellhost;
}  // namespace forest::cli

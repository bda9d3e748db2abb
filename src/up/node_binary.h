// The forest binary a node gets: this one without its debug sections. The
// RelWithDebInfo build is about 225 MB, nine tenths of it DWARF; every node
// kept a copy of its own (no copy-on-write shares a pushed file) and every
// install pushed all of it. Made once per build, kept in a cache folder.
#pragma once

#include <string>

#include "base/process.h"

namespace forest::up {

// A copy of `self` stripped of debug sections (`strip --strip-debug`; the
// symbols stay for backtraces) in `cache_dir`, named by the size and mtime
// of `self`, made when missing (atomically: write, fsync, rename) and the
// older copies removed. `self` itself where strip is missing or fails (as
// inside a node, whose own binary is stripped already).
std::string NodeBinary(const std::string& self, const std::string& cache_dir, ProcessRunner& run);

}  // namespace forest::up

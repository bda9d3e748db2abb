// The process's file-descriptor limit: raised to the hard limit at start
// (every connection is one descriptor; systemd's default soft limit is
// 1,024) and reported in /metrics with the descriptors in use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace forest::serve {

struct FdLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Sets the soft limit to the hard one; returns the limits in force after
// (nullopt when they cannot be read).
std::optional<FdLimit> RaiseFdLimit();
std::optional<FdLimit> CurrentFdLimit();
// Descriptors open now (entries of /proc/self/fd); nullopt if unreadable.
std::optional<uint64_t> OpenFds();

// "file descriptors: soft 524288, hard 524288" (or that they are unknown).
std::string DescribeFdLimit(const std::optional<FdLimit>& l);

}  // namespace forest::serve

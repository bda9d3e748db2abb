// The wall clock in unix seconds, for certificate lifetimes and renewals. The
// pure core takes time as a value; adapters call this.
#pragma once

#include <chrono>
#include <cstdint>

namespace forest {

inline int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace forest

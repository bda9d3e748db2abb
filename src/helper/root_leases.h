// Names follow liveness at the helper too: the helper sees no Incus, so a
// root shows it is alive by publishing (every probe period, 10 s, changed or
// not). A root not heard from for the lease (30 s) loses its names until it
// publishes again. Pure: the caller passes its monotonic time.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace forest::helper {

inline constexpr std::chrono::milliseconds kDefaultRootLease{30000};

class RootLeases {
 public:
  explicit RootLeases(std::chrono::milliseconds lease = kDefaultRootLease) : lease_(lease) {}
  // A publication from the root (or its saved export loaded at start).
  void Seen(const std::string& label, std::chrono::milliseconds now) { seen_[label] = now; }
  // Roots whose lease ran out, forgotten here until seen again.
  std::vector<std::string> Expire(std::chrono::milliseconds now);
  std::chrono::milliseconds lease() const { return lease_; }

 private:
  std::chrono::milliseconds lease_;
  std::map<std::string, std::chrono::milliseconds> seen_;
};

}  // namespace forest::helper

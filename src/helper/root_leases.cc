#include "helper/root_leases.h"

namespace forest::helper {

std::vector<std::string> RootLeases::Expire(std::chrono::milliseconds now) {
  std::vector<std::string> out;
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (now - it->second >= lease_) {
      out.push_back(it->first);
      it = seen_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace forest::helper

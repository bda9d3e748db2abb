#include "serve/conn_limits.h"

#include <algorithm>

namespace forest::serve {

const char* RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kPerSource: return "per_source";
    case Refusal::kPerNetwork: return "per_network";
    case Refusal::kGlobal: return "global";
    case Refusal::kNone: break;
  }
  return "none";
}

Refusal ConnectionLimiter::Acquire(const std::string& source, const std::string& network, bool privileged) {
  size_t ceiling = limits_.global + (privileged ? limits_.reserve : 0);
  if (open_ >= ceiling) return Refusal::kGlobal;
  auto s = per_source_.find(source);
  if (s != per_source_.end() && s->second >= limits_.per_source) return Refusal::kPerSource;
  auto n = per_network_.find(network);
  if (!privileged && n != per_network_.end() && n->second >= limits_.per_network) return Refusal::kPerNetwork;
  ++open_;
  ++per_source_[source];
  ++per_network_[network];
  return Refusal::kNone;
}

void ConnectionLimiter::Release(const std::string& source, const std::string& network) {
  auto drop = [](std::map<std::string, size_t>& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end()) return false;
    if (--it->second == 0) m.erase(it);
    return true;
  };
  bool counted = drop(per_source_, source);
  drop(per_network_, network);
  if (counted && open_ > 0) --open_;
}

std::string Describe(const ConnectionLimits& l) {
  return std::to_string(l.per_source) + " per source, " + std::to_string(l.per_network) + " per /64, " +
         std::to_string(l.global) + " in total + " + std::to_string(l.reserve) + " kept for the forest's own";
}

void FitToFdLimit(uint64_t fd_soft_limit, size_t fixed, const std::vector<ConnectionLimits*>& listeners) {
  uint64_t wanted = 0;
  for (const auto* l : listeners) wanted += l->global + l->reserve;
  uint64_t room = fd_soft_limit > fixed ? fd_soft_limit - fixed : 0;
  if (wanted == 0 || wanted <= room) return;
  for (auto* l : listeners) {
    // Each keeps its share of the room; at least one connection for
    // everyone and one in reserve, so the daemon still answers.
    uint64_t share = room * (l->global + l->reserve) / wanted;
    uint64_t reserve = std::max<uint64_t>(1, share * l->reserve / std::max<size_t>(1, l->global + l->reserve));
    uint64_t global = std::max<uint64_t>(1, share > reserve ? share - reserve : 0);
    l->reserve = static_cast<size_t>(reserve);
    l->global = static_cast<size_t>(global);
    l->per_network = std::min(l->per_network, l->global);
    l->per_source = std::min(l->per_source, l->global);
  }
}

}  // namespace forest::serve

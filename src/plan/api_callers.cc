#include "plan/api_callers.h"

#include <algorithm>

namespace forest::plan {

namespace {

void Add(std::vector<net::Ipv6Address>& out, const NodePlan& n) {
  out.push_back(n.uplink);
  out.push_back(n.node_address);
}

std::vector<net::Ipv6Address> SortedUnique(std::vector<net::Ipv6Address> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::vector<net::Ipv6Address> InfrastructureAddresses(const Plan& plan) {
  std::vector<net::Ipv6Address> out = {plan.host_bridge.address};
  for (const auto& n : plan.nodes) Add(out, n);
  return SortedUnique(std::move(out));
}

std::vector<net::Ipv6Address> NodeNeighbours(const Plan& plan, const NodePlan& self) {
  std::vector<net::Ipv6Address> out;
  Add(out, self);
  for (const auto& n : plan.nodes) {
    if (n.canonical_name == self.parent_canonical || n.parent_canonical == self.canonical_name) Add(out, n);
  }
  return SortedUnique(std::move(out));
}

}  // namespace forest::plan

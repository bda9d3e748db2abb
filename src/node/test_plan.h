// The source chain c0 → c0-2 → c0-2-1 (workload app with service auth) for
// the node tests.
#pragma once

#include "plan/plan.h"
#include "topology/topology.h"

namespace forest::node::testing {

struct Chain {
  topology::Topology t;
  plan::Plan p;
  const plan::NodePlan& Node(const char* canonical) const { return *p.FindNode(canonical); }
};

inline std::unique_ptr<Chain> SourceChain() {
  auto c = std::make_unique<Chain>();
  c->t = topology::Defaults();
  c->t.file = "t.yaml";
  c->t.name = "t";
  topology::Node c0, c02, c021;
  c0.name = "c0";
  c02.name = "c0-2";
  c021.name = "c0-2-1";
  topology::Workload w;
  w.name = "app";
  w.services = {"auth"};
  c021.workloads.push_back(w);
  c02.children.push_back(c021);
  c0.children.push_back(c02);
  c->t.roots.push_back(c0);
  c->p = *plan::MakePlan(c->t);
  return c;
}

inline net::Ipv6Address Six(const char* s) { return *net::Ipv6Address::Parse(s); }

}  // namespace forest::node::testing

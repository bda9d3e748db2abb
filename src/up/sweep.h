// Start cleans what a failed start left. When an instance's start fails
// after Incus set up its NICs (a cgroup error in forkstart, say), Incus 6.0
// leaves the host-side veth pair, the routed NIC's host routes and its
// anti-spoofing chain behind; every later start of it then fails with
// `Failed adding host route … File exists`, and the chain keeps rules for
// interfaces that are gone (`iif 6`). The sweep finds such leftovers and
// removes them: veths that a stopped instance's volatile.*.host_name names
// (their routes and neighbour proxies go with them), per-instance nft chains
// of instances that do not run, and rules in a running instance's chains that
// name interfaces which no longer exist.
//
// PlanSweep is pure: it reads what `nft -j`, `ip -j link`, and Incus's
// instance and operation lists say; sweep_run.cc gathers those and applies
// the plan.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace forest::up {

struct SweepInput {
  nlohmann::json instances;   // GET /1.0/instances?recursion=1 (all projects, or one)
  nlohmann::json operations;  // GET /1.0/operations?recursion=1 (same scope)
  nlohmann::json links;       // `ip -j link show`
  nlohmann::json nft;         // `nft -j list ruleset` (tables other than Incus's are ignored)
  // Only instances of these projects are looked at (empty: every project).
  std::set<std::string> projects;
};

struct NftRuleRef {
  std::string family, table, chain;
  long handle = 0;
  bool operator==(const NftRuleRef&) const = default;
};

struct SweepPlan {
  std::vector<std::string> links;  // `ip link delete` (one end of a pair takes both)
  std::vector<NftRuleRef> chains;  // whole chains (handle unused)
  std::vector<NftRuleRef> rules;
  // One line per removal, saying why: the links' lines first, in the order
  // of `links`, then those of the nft removals (SweepLocal reports each part
  // once it is done).
  std::vector<std::string> log;
  bool empty() const { return links.empty() && chains.empty() && rules.empty(); }
};

SweepPlan PlanSweep(const SweepInput& in);

// The nft batch that carries out the chain and rule removals ("" if none).
std::string NftBatch(const SweepPlan& plan);

}  // namespace forest::up

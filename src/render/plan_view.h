// The address plan as people and programs read it: `forest plan` text and
// JSON, with canonical names and the aliases the unambiguity rule publishes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "naming/names.h"
#include "plan/plan.h"
#include "topology/topology.h"

namespace forest::render {

// Aliases of every node, workload and service of the plan.
naming::AliasTable PlanAliases(const plan::Plan& plan);

nlohmann::json PlanJson(const topology::Topology& topology, const plan::Plan& plan,
                        const naming::AliasTable& aliases);
std::string PlanText(const topology::Topology& topology, const plan::Plan& plan,
                     const naming::AliasTable& aliases);

}  // namespace forest::render

// The forests `up` remembered on this machine: one state directory each
// under StateRoot(), holding topology.yaml and slots.json; and finding a
// node or workload among them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "up/inputs.h"

namespace forest::up {

// Where `up` keeps each forest's topology and slots ($FOREST_STATE_DIR or /var/lib/forest).
std::string StateRoot();
// StateRoot()/NAME: what `forest up` keeps of the forest NAME.
std::string ForestStateDir(const std::string& name);

// A forest `up` remembered: its state directory holds topology.yaml and slots.json.
struct Known {
  std::string dir;
  std::unique_ptr<Loaded> loaded;
};
Result<std::vector<Known>> KnownForests();
// The forest named `name`, or the only one when `name` is empty; the error
// lists the forests there are.
Result<Known> FindForest(const std::string& name);

// A node or workload of a known forest, with the instance path to it.
struct Found {
  const Known* forest = nullptr;
  const plan::NodePlan* node = nullptr;
  const plan::WorkloadPlan* workload = nullptr;
  std::vector<std::string> path;  // instance names from the host down
};
// NODE is a canonical name ("c0-2-1.c0-2.c0.incus"), or a label when unique.
Result<Found> FindNode(const std::vector<Known>& forests, const std::string& name);
// Finds NODE among the forests brought up here; `forests` keeps them alive.
Result<Found> Locate(const std::string& node, std::vector<Known>& forests);

// This host's Incus, in the project of forest T.
incus::Client ForestIncus(const topology::Topology& t);

}  // namespace forest::up

#include "up/inputs.h"

#include <cctype>

#include "base/files.h"
#include "render/writer.h"

namespace forest::up {

Result<std::unique_ptr<Loaded>> LoadAndPlan(const std::string& path, const plan::SlotMemory& slots) {
  auto loaded = std::make_unique<Loaded>();
  FOREST_ASSIGN_OR_RETURN(loaded->text, ReadFile(path, topology::kMaxInputBytes));
  FOREST_ASSIGN_OR_RETURN(loaded->topology, topology::Parse(loaded->text, path));
  // The plan keeps pointers into the topology, which now lives at a stable address.
  FOREST_ASSIGN_OR_RETURN(loaded->plan, plan::MakePlan(loaded->topology, slots));
  return loaded;
}

Result<std::unique_ptr<Loaded>> LoadNodeInputs(const std::string& dir) {
  FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(dir));
  return LoadAndPlan(dir + "/topology.yaml", slots);
}

Result<ThisNode> LoadThisNode(const std::string& dir) {
  std::string self_file = dir + "/self";
  auto self_name = ReadFile(self_file);
  if (!self_name.ok()) {
    return MakeError(self_file + ": cannot read this node's name (" + self_name.error().message +
                     "); run this inside a forest node that `forest up` converged");
  }
  std::string name = *self_name;
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  ThisNode n;
  FOREST_ASSIGN_OR_RETURN(n.loaded, LoadNodeInputs(dir));
  n.self = n.loaded->plan.FindNode(name);
  if (!n.self) return MakeError(self_file + ": " + name + " is not a node of " + dir + "/topology.yaml");
  return n;
}

}  // namespace forest::up

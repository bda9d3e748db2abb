#include "up/node_inputs.h"

#include <filesystem>

#include "base/files.h"

namespace forest::up {

Result<NodeUp> LoadNodeUp(const std::string& dir, const std::string& self, const std::string& agent_socket) {
  NodeUp n;
  FOREST_ASSIGN_OR_RETURN(n.loaded, LoadNodeInputs(dir));
  n.self = n.loaded->plan.FindNode(self);
  if (!n.self) return MakeError(self + " is not a node of " + dir + "/topology.yaml");
  const std::string parent_file = dir + "/parent.json";
  FOREST_ASSIGN_OR_RETURN(std::string parent_text, ReadFile(parent_file));
  FOREST_ASSIGN_OR_RETURN(n.parent, ParentInfoFromJson(parent_text, parent_file));
  if (auto k = ReadFile(dir + "/authorized_keys"); k.ok()) n.authorized_keys = std::move(k).value();
  std::error_code ec;
  if (!agent_socket.empty() && std::filesystem::exists(agent_socket, ec)) n.agent_socket = agent_socket;
  return n;
}

}  // namespace forest::up

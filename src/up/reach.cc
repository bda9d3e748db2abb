#include "up/reach.h"

#include <nlohmann/json.hpp>

#include "incus/api.h"

namespace forest::up {

using Json = nlohmann::json;

namespace {

bool SubtreeWantsAgent(const plan::Plan& plan, const plan::NodePlan& child) {
  std::string suffix = "." + child.canonical_name;
  for (const auto& m : plan.nodes) {
    bool in = m.canonical_name == child.canonical_name ||
              (m.canonical_name.size() > suffix.size() &&
               m.canonical_name.compare(m.canonical_name.size() - suffix.size(), suffix.size(), suffix) == 0);
    if (in && m.node->ssh_agent) return true;
  }
  return false;
}

}  // namespace

Status AgentRelay(Level& l, const plan::NodePlan& child) {
  if (!SubtreeWantsAgent(l.plan, child)) return {};
  if (l.o.agent_socket.empty()) {
    l.Say("warning: " + child.canonical_name +
          " (or a node below it) asks for ssh-agent, but there is no agent here (SSH_AUTH_SOCK unset)");
    return {};
  }
  incus::StringMap dev = {{"type", "proxy"},
                          {"bind", "instance"},
                          {"listen", std::string("unix:") + kAgentSocket},
                          {"connect", "unix:" + l.o.agent_socket},
                          {"mode", "0600"},
                          {"uid", "0"},
                          {"gid", "0"}};
  FOREST_ASSIGN_OR_RETURN(auto inst, incus::GetInstance(l.c, child.label));
  Json have = (*inst)["devices"].value("forest-ssh-agent", Json::object());
  Json want(dev);
  Json patch = Json::object();
  if (have != want) patch["devices"] = {{"forest-ssh-agent", want}};
  if (child.node->ssh_agent && (*inst)["config"].value("environment.SSH_AUTH_SOCK", "") != kAgentSocket) {
    patch["config"] = {{"environment.SSH_AUTH_SOCK", kAgentSocket}};
  }
  if (patch.empty()) return {};
  FOREST_TRY(incus::PatchInstance(l.c, child.label, patch));
  l.Changed("ssh-agent relayed into " + child.canonical_name);
  return {};
}

Result<int> ExecPath(incus::Client& c, const std::vector<std::string>& path,
                     const std::vector<std::string>& argv, const incus::OutputSink& sink, int stdin_fd) {
  if (path.empty()) return MakeError("exec: empty node path");
  std::vector<std::string> cmd;
  if (path.size() == 1) {
    cmd = argv;
  } else {
    cmd = {kBinaryPath, "node-exec"};
    cmd.insert(cmd.end(), path.begin() + 1, path.end());
    cmd.push_back("--");
    cmd.insert(cmd.end(), argv.begin(), argv.end());
  }
  return incus::ExecStream(c, c.SocketPath(), path[0], cmd, {}, sink, stdin_fd);
}

Result<Json> StatusTree(incus::Client& c, bool recurse) {
  FOREST_ASSIGN_OR_RETURN(Json list, c.Get("/1.0/instances?recursion=2"));
  Json out = Json::array();
  for (const Json& inst : list) {
    Json e;
    e["name"] = inst.value("name", "");
    e["status"] = inst.value("status", "");
    const Json& cfg = inst["expanded_config"];
    e["role"] = cfg.value("user.forest.role", "");
    e["canonical_name"] = cfg.value("user.forest.canonical_name", "");
    e["privileged"] = cfg.value("security.privileged", "") == "true";
    e["addresses"] = Json::array();
    if (inst.contains("state") && inst["state"].is_object()) {
      e["pid"] = inst["state"].value("pid", 0);
      const Json& nets = inst["state"]["network"];
      if (nets.is_object() && nets.contains("eth0")) {
        for (const Json& a : nets["eth0"]["addresses"]) {
          if (a.value("scope", "") == "global") e["addresses"].push_back(a.value("address", ""));
        }
      }
    }
    std::string role = e["role"];
    if (recurse && e["status"] == "Running" && (role == "root" || role == "recursive-child")) {
      auto r = incus::Exec(c, e["name"], {kBinaryPath, "node-status", "--json"});
      if (r.ok() && r->exit_code == 0) {
        Json sub = Json::parse(r->out, nullptr, false);
        if (!sub.is_discarded()) e["children"] = sub;
      } else {
        e["children_error"] = r.ok() ? r->err : r.error().message;
      }
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace forest::up

// 464XLAT on a node: forestd applies it (up/xlat_apply.h); `forest xlat up|down|
// status` does the same by hand inside a node; `forest doctor NODE` asks a
// node for its status from the host.
#include <sstream>

#include "base/files.h"
#include "cli/command.h"
#include "cli/forestd.h"
#include "up/converge.h"
#include "up/xlat_apply.h"

namespace forest::cli {

namespace {

// This node's canonical name, as cloud-init wrote it.
Result<std::string> SelfName(const std::string& dir) {
  std::string path = dir + "/node.env";
  FOREST_ASSIGN_OR_RETURN(std::string env, ReadFile(path));
  std::istringstream in(env);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("FOREST_CANONICAL_NAME=", 0) == 0) return line.substr(22);
  }
  return MakeError(path + ": no FOREST_CANONICAL_NAME line; is this a forest node?");
}

}  // namespace

void AddXlatCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("xlat", "(inside a node) the 464XLAT wiring: CLAT sidecar or DNS64/NAT64 edge");
  cmd->require_subcommand(1);
  for (const char* mode : {"up", "down", "status"}) {
    std::string m = mode;
    const char* help = m == "up"     ? "build what is missing (forestd does this at start and every repair)"
                       : m == "down" ? "remove the sidecar or edge (forestd builds it again unless stopped)"
                                     : "check every piece; exit 1 when one is missing";
    auto* sub = cmd->add_subcommand(mode, help);
    auto json = std::make_shared<bool>(false);
    if (m == "status") sub->add_flag("--json", *json, "print JSON");
    sub->callback([m, json, &ctx] {
      auto self_name = SelfName(up::kNodeDir);
      if (!self_name.ok()) return ctx.Fail(self_name.error());
      auto loaded = LoadNodeInputs(up::kNodeDir);
      if (!loaded.ok()) return ctx.Fail(loaded.error());
      const plan::NodePlan* self = (*loaded)->plan.FindNode(*self_name);
      if (!self) return ctx.Fail(MakeError(*self_name + " is not in " + std::string(up::kNodeDir) + "/topology.yaml"));
      auto run = up::ApplyXlat((*loaded)->plan, *self, m);
      if (!run.ok()) return ctx.Fail(run.error());
      if (*json) {
        nlohmann::json checks = nlohmann::json::array();
        for (const auto& line : run->lines) {
          bool ok = line.rfind("ok ", 0) == 0;
          bool failed = line.rfind("fail ", 0) == 0;
          if (!ok && !failed) continue;
          std::string rest = line.substr(ok ? 3 : 5);
          auto colon = rest.find(": ");
          checks.push_back({{"check", rest.substr(0, colon)},
                            {"ok", ok},
                            {"fix", colon == std::string::npos ? "" : rest.substr(colon + 2)}});
        }
        ctx.out << nlohmann::json{{"node", *self_name}, {"role", run->role}, {"ok", run->rc == 0}, {"checks", checks}}
                       .dump(2)
                << "\n";
      } else {
        if (run->role == std::string("none")) ctx.out << *self_name << ": no 464XLAT role (a root without edge)\n";
        for (const auto& line : run->lines) ctx.out << line << "\n";
      }
      if (run->rc != 0) ctx.exit_code = 1;
    });
  }
}

}  // namespace forest::cli

// 464XLAT on a node: forestd applies it (up/xlat_apply.h); `forest xlat up|down|
// status` does the same by hand inside a node; `forest doctor NODE` asks a
// node for its status from the host.
#include "cli/command.h"
#include "up/converge.h"
#include "up/xlat_apply.h"

namespace forest::cli {

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
      auto node = LoadThisNode(up::kNodeDir);
      if (!node.ok()) return ctx.Fail(node.error());
      const std::string& self_name = node->self->canonical_name;
      auto run = up::ApplyXlat(node->loaded->plan, *node->self, m);
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
        ctx.out << nlohmann::json{{"node", self_name}, {"role", run->role}, {"ok", run->rc == 0}, {"checks", checks}}
                       .dump(2)
                << "\n";
      } else {
        if (run->role == std::string("none")) ctx.out << self_name << ": no 464XLAT role (a root without edge)\n";
        for (const auto& line : run->lines) ctx.out << line << "\n";
      }
      if (run->rc != 0) ctx.exit_code = 1;
    });
  }
}

}  // namespace forest::cli

// forest plan FILE [--json]
#include <ostream>

#include "cli/command.h"
#include "render/plan_view.h"

namespace forest::cli {

void AddPlanCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("plan", "Print the address plan of a topology: every node's prefix, uplink, "
                                         "canonical name and published aliases");
  struct Opts {
    std::string file;
    bool json = false;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("FILE", opts->file, "topology file (forest.yaml)")->required();
  cmd->add_flag("--json", opts->json, "print JSON instead of text");
  cmd->callback([opts, &ctx] {
    auto loaded = LoadAndPlan(opts->file);
    if (!loaded.ok()) return ctx.Fail(loaded.error());
    const auto& l = **loaded;
    auto aliases = render::PlanAliases(l.plan);
    if (opts->json) {
      ctx.out << render::PlanJson(l.topology, l.plan, aliases).dump(2) << "\n";
    } else {
      ctx.out << render::PlanText(l.topology, l.plan, aliases);
    }
  });
}

}  // namespace forest::cli

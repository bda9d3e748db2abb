// forest plan FILE [--json] [--materialization NAME]
#include <filesystem>
#include <ostream>

#include "cli/command.h"
#include "render/plan_view.h"
#include "render/writer.h"
#include "up/remembered.h"

namespace forest::cli {

void AddPlanCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("plan", "Print the address plan of a topology: every node's prefix, uplink, "
                                         "canonical name and published aliases");
  struct Opts {
    std::string file;
    std::string materialization;
    bool json = false;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("FILE", opts->file, "topology file (forest.yaml)")->required();
  cmd->add_option("-m,--materialization", opts->materialization,
                  "plan with the slots NAME/slots.json remembers (as `forest generate NAME` does)");
  cmd->add_flag("--json", opts->json, "print JSON instead of text");
  cmd->footer(
      "Children keep their slots for life: the plan uses the slots remembered by `forest generate NAME` "
      "(with -m NAME) or, by default, by `forest up` of a forest of the same name on this host.");
  cmd->callback([opts, &ctx] {
    // The slots come from where the plan is built: the materialization
    // named, or the state `up` keeps for a forest of this name.
    std::string slots_dir;
    if (!opts->materialization.empty()) {
      slots_dir = std::filesystem::path(opts->materialization).lexically_normal().string();
    }
    auto r = up::LoadAndPlanRemembered(opts->file, slots_dir, /*must_exist=*/!slots_dir.empty());
    if (!r.ok()) return ctx.Fail(r.error());
    if (r->had_slots && !opts->json)
      ctx.err << "forest: slots remembered in " << r->slots_dir << "/slots.json\n";
    const auto& l = *r->loaded;
    auto aliases = render::PlanAliases(l.plan);
    if (opts->json) {
      ctx.out << render::PlanJson(l.topology, l.plan, aliases).dump(2) << "\n";
    } else {
      ctx.out << render::PlanText(l.topology, l.plan, aliases);
    }
  });
}

}  // namespace forest::cli

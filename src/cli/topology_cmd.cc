// forest topology check FILE | forest topology keys
#include <ostream>

#include "cli/command.h"

namespace forest::cli {

void AddTopologyCommand(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("topology", "Check topology files; print the forest.yaml key reference");
  group->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* check = group->add_subcommand("check", "Parse a topology and compute its address plan; report the first "
                                               "problem with file:line:column");
  check->add_option("FILE", *file, "topology file")->required();
  check->callback([file, &ctx] {
    auto loaded = LoadAndPlan(*file);
    if (!loaded.ok()) return ctx.Fail(loaded.error());
    ctx.out << *file << ": ok: " << (*loaded)->plan.nodes.size() << " node(s), " << (*loaded)->plan.workloads.size()
            << " workload(s)\n";
  });
  auto* keys = group->add_subcommand("keys", "Print the reference of every forest.yaml key (Markdown)");
  keys->callback([&ctx] { ctx.out << topology::KeysReference(); });
}

}  // namespace forest::cli

// forest registration check|merge: the parent-side registration rules run
// offline on export files, with the delegations of a topology's plan.
#include <ostream>

#include "base/files.h"
#include "cli/command.h"
#include "registration/registration.h"

namespace forest::cli {
namespace {

Result<const plan::NodePlan*> FindNode(const plan::Plan& plan, const std::string& name) {
  const plan::NodePlan* n = plan.FindNode(name);
  if (n == nullptr) n = plan.FindNode(name + ".incus");
  if (n == nullptr) return MakeError("no node '" + name + "' in the plan; give its canonical name (see 'forest plan')");
  return n;
}

registration::Delegation DelegationOf(const plan::NodePlan& n) {
  return {n.label, n.canonical_name, n.prefix, n.uplink};
}

Result<registration::Export> LoadExport(const std::string& path) {
  registration::Limits limits;
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path, limits.max_bytes + 1));
  auto e = registration::Parse(text, limits);
  if (!e.ok()) return e.error().Wrap(path);
  return e;
}

}  // namespace

void AddRegistrationCommand(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("registration", "Check and merge schema-1 registration exports offline");
  group->require_subcommand(1);
  struct Opts {
    std::string topology, node, file;
    std::vector<std::string> files;
  };
  auto opts = std::make_shared<Opts>();

  auto* check = group->add_subcommand("check", "Validate a child's export the way its parent does; exit 1 if it "
                                               "would be rejected");
  check->add_option("EXPORT", opts->file, "export JSON file")->required();
  check->add_option("-t,--topology", opts->topology, "topology file")->required();
  check->add_option("--child", opts->node, "canonical name of the child that sent it")->required();
  check->callback([opts, &ctx] {
    auto loaded = LoadAndPlan(opts->topology);
    if (!loaded.ok()) return ctx.Fail(loaded.error());
    auto node = FindNode((*loaded)->plan, opts->node);
    if (!node.ok()) return ctx.Fail(node.error());
    auto e = LoadExport(opts->file);
    if (!e.ok()) return ctx.Fail(e.error());
    if (auto s = registration::ValidateChildExport(*e, DelegationOf(**node)); !s.ok()) {
      return ctx.Fail(s.error().Wrap(opts->file + ": rejected"));
    }
    ctx.out << opts->file << ": accepted from " << (*node)->canonical_name << ": " << e->records.size()
            << " record(s), " << e->descendants.size() << " descendant node(s)\n";
  });

  auto* merge = group->add_subcommand("merge", "Print a node's export: its own records merged with its children's "
                                               "valid exports (invalid ones are reported and left out)");
  merge->add_option("-t,--topology", opts->topology, "topology file")->required();
  merge->add_option("--node", opts->node, "canonical name of the merging node")->required();
  merge->add_option("CHILD_EXPORT", opts->files, "exports of direct children");
  merge->callback([opts, &ctx] {
    auto loaded = LoadAndPlan(opts->topology);
    if (!loaded.ok()) return ctx.Fail(loaded.error());
    const plan::Plan& plan = (*loaded)->plan;
    auto node = FindNode(plan, opts->node);
    if (!node.ok()) return ctx.Fail(node.error());
    const plan::NodePlan& self = **node;
    std::vector<registration::ChildExport> children;
    for (const auto& f : opts->files) {
      auto e = LoadExport(f);
      if (!e.ok()) {
        ctx.Fail(e.error());
        continue;
      }
      const plan::NodePlan* child = plan.FindNode(e->source_node + "." + self.canonical_name);
      if (child == nullptr) {
        ctx.Fail(MakeError(f + ": rejected: source_node '" + e->source_node + "' is not a child of " +
                           self.canonical_name));
        continue;
      }
      if (auto s = registration::ValidateChildExport(*e, DelegationOf(*child)); !s.ok()) {
        ctx.Fail(s.error().Wrap(f + ": rejected"));
        continue;
      }
      children.push_back({DelegationOf(*child), std::move(e).value()});
    }
    std::vector<registration::Record> own{{self.canonical_name, self.node_address}};
    registration::Route route{self.prefix, self.uplink, true, "eth0"};
    ctx.out << registration::Serialize(registration::Merge(self.label, own, route, children));
  });
}

}  // namespace forest::cli

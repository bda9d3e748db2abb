// forest generate NAME --topology FILE [--enable-cache] [--no-runtime]
#include <filesystem>
#include <ostream>

#include "base/files.h"
#include "cli/command.h"
#include "render/materialize.h"
#include "render/writer.h"
#include "up/remembered.h"

namespace forest::cli {

namespace fs = std::filesystem;

void AddGenerateCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "generate", "Write the materialization NAME/: content/ (rebuilt wholesale on each run) holds forest.command, "
                  "forest.env, forest.json, plan.json, templates/, rendered/, scripts/, artifacts/ and final/ "
                  "(Incus profiles)");
  struct Opts {
    std::string name;
    std::string topology;
    bool enable_cache = false;
    bool no_runtime = false;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("NAME", opts->name, "materialization directory (created if missing; NAME/content is replaced)")
      ->required();
  cmd->add_option("-t,--topology", opts->topology, "topology file (forest.yaml)")->required();
  cmd->add_flag("--enable-cache", opts->enable_cache, "also render the cache helper (apt and image cache)");
  cmd->add_flag("--no-runtime", opts->no_runtime, "leave the runtime binaries out of artifacts/");
  cmd->callback([opts, &ctx] {
    fs::path dir = fs::path(opts->name).lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();
    auto r = up::LoadAndPlanRemembered(opts->topology, dir.string());
    if (!r.ok()) return ctx.Fail(r.error());
    auto& loaded = r->loaded;
    render::GenerateOptions g;
    g.materialization = dir.filename().string();
    g.topology_text = loaded->text;
    g.enable_cache = opts->enable_cache || loaded->topology.helper.cache;
    if (!opts->no_runtime) {
      auto files = render::ReadRuntimeBundle(SelfBinary());
      if (!files.ok()) return ctx.Fail(files.error());
      g.runtime_files = std::move(files).value();
    }
    auto tree = render::Materialize(loaded->topology, loaded->plan, g);
    if (!tree.ok()) return ctx.Fail(tree.error());
    if (auto s = render::WriteMaterialization(dir.string(), *tree); !s.ok()) return ctx.Fail(s.error());
    if (auto s = render::WriteSlotMemory(dir.string(), loaded->plan.Slots()); !s.ok())
      return ctx.Fail(s.error());
    ctx.out << "generated " << (dir / "content").string() << ": " << tree->size() << " files, "
            << loaded->plan.nodes.size() << " node(s); inspect forest.json first, final/ last\n";
  });
}

}  // namespace forest::cli

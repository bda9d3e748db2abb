// forest generate NAME --topology FILE [--enable-cache] [--no-runtime]
#include <unistd.h>

#include <filesystem>
#include <ostream>

#include "base/files.h"
#include "cli/command.h"
#include "render/materialize.h"
#include "render/writer.h"

namespace forest::cli {
namespace {

namespace fs = std::filesystem;

// The runtime bundle: this forest binary and the forestd beside it.
Result<std::map<std::string, std::string>> RuntimeFiles() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return MakeError("/proc/self/exe: cannot find the forest binary: " + ec.message());
  std::map<std::string, std::string> files;
  for (const char* name : {"forest", "forestd"}) {
    fs::path p = self.parent_path() / name;
    auto bytes = ReadFile(p.string(), 512u << 20);
    if (!bytes.ok()) {
      return bytes.error().Wrap(std::string("runtime bundle needs ") + name +
                                " next to forest (or pass --no-runtime)");
    }
    files[std::string("bin/") + name] = std::move(bytes).value();
  }
  return files;
}

}  // namespace

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
    auto slots = render::ReadSlotMemory(dir.string());
    if (!slots.ok()) return ctx.Fail(slots.error());
    auto loaded = LoadAndPlan(opts->topology, *slots);
    if (!loaded.ok()) return ctx.Fail(loaded.error());
    render::GenerateOptions g;
    g.materialization = dir.filename().string();
    g.topology_text = (*loaded)->text;
    g.enable_cache = opts->enable_cache || (*loaded)->topology.helper.cache;
    if (!opts->no_runtime) {
      auto files = RuntimeFiles();
      if (!files.ok()) return ctx.Fail(files.error());
      g.runtime_files = std::move(files).value();
    }
    auto tree = render::Materialize((*loaded)->topology, (*loaded)->plan, g);
    if (!tree.ok()) return ctx.Fail(tree.error());
    if (auto s = render::WriteMaterialization(dir.string(), *tree); !s.ok()) return ctx.Fail(s.error());
    if (auto s = render::WriteSlotMemory(dir.string(), (*loaded)->plan.Slots()); !s.ok()) return ctx.Fail(s.error());
    ctx.out << "generated " << (dir / "content").string() << ": " << tree->size() << " files, "
            << (*loaded)->plan.nodes.size() << " node(s); inspect forest.json first, final/ last\n";
  });
}

}  // namespace forest::cli

// forest image build|list
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "image/image.h"
#include "incus/client.h"

namespace forest::cli {

void AddImageCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("image", "Build and list forest's node and workload images");
  cmd->require_subcommand(1);
  {
    auto* build = cmd->add_subcommand("build", "Build the images with debootstrap unless the cache "
                                               "already holds this recipe's build");
    struct Opts {
      std::vector<std::string> kinds;
      bool force = false;
      std::string from;
      bool accept = false;
    };
    auto o = std::make_shared<Opts>();
    build->add_option("KIND", o->kinds, "node, workload (default: both)")
        ->check(CLI::IsMember({"node", "workload"}));
    build->add_flag("--force", o->force, "rebuild even when cached");
    build->add_option("--from", o->from,
                      "take the image from an Incus image server instead of building it: "
                      "https://HOST[:PORT]:ALIAS (one KIND)");
    build->add_flag("--accept-certificate", o->accept,
                    "with --from: trust the server's self-signed certificate for this pull");
    build->callback([o, &ctx] {
      std::vector<image::Kind> kinds;
      if (o->kinds.empty()) kinds = {image::Kind::kWorkload, image::Kind::kNode};
      for (const auto& k : o->kinds) kinds.push_back(k == "node" ? image::Kind::kNode : image::Kind::kWorkload);
      auto say = [](const std::string& s) { std::cout << s << std::endl; };
      if (!o->from.empty()) {
        if (kinds.size() != 1) return ctx.Fail(MakeError("--from needs exactly one KIND (node or workload)"));
        auto spec = image::ParseFrom(o->from);
        if (!spec.ok()) return ctx.Fail(spec.error());
        // Through a scratch project: the user's default project is untouched.
        auto global = incus::Client::Local();
        auto r = image::FetchThroughScratch(global, kinds[0], spec->first, spec->second, o->accept, say);
        if (!r.ok()) return ctx.Fail(r.error());
        ctx.out << image::KindName(kinds[0]) << ": " << *r << "\n";
        return;
      }
      for (auto k : kinds) {
        auto r = image::EnsureBuilt(k, say, o->force);
        if (!r.ok()) return ctx.Fail(r.error());
        ctx.out << image::KindName(k) << ": " << *r << "\n";
      }
    });
  }
  {
    auto* list = cmd->add_subcommand("list", "Show the cached images of the current recipes");
    auto json = std::make_shared<bool>(false);
    list->add_flag("--json", *json, "print JSON");
    list->callback([json, &ctx] {
      nlohmann::json out = nlohmann::json::array();
      for (auto k : {image::Kind::kNode, image::Kind::kWorkload}) {
        std::string path = image::CachedTarball(k);
        std::error_code ec;
        bool have = std::filesystem::exists(path, ec);
        out.push_back({{"kind", image::KindName(k)},
                       {"alias", image::Alias(k)},
                       {"recipe", image::RecipeHash(k)},
                       {"path", path},
                       {"cached", have},
                       {"bytes", have ? std::filesystem::file_size(path, ec) : 0}});
      }
      if (*json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& e : out) {
        ctx.out << e["alias"].get<std::string>() << "  recipe " << e["recipe"].get<std::string>().substr(0, 12)
                << "  " << (e["cached"].get<bool>() ? "cached " + e["path"].get<std::string>() : "not built")
                << "\n";
      }
    });
  }
}

}  // namespace forest::cli

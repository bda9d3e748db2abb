#include "cli/idmap_cmd.h"

#include "base/process.h"
#include "idmap/owner.h"

namespace forest::cli {

void AddIdmapCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("idmap", "(inside a node) map a shared folder's owner into a nested child");
  cmd->group("");  // for templates/node/incus-shim.sh, not for people
  cmd->require_subcommand(1);
  auto* owner = cmd->add_subcommand(
      "owner", "SOURCE: allow its owner in /etc/subuid and /etc/subgid; print the raw.idmap lines");
  struct Opts {
    std::string source;
    bool restart = false;
    idmap::SubidFiles files;
  };
  auto o = std::make_shared<Opts>();
  owner->add_option("SOURCE", o->source, "the folder a disk device shares")->required();
  owner->add_flag("--restart-incus", o->restart,
                  "restart incusd when a file changed (it reads them at start)");
  owner->add_option("--subuid", o->files.subuid, "the subordinate uid file")->group("");
  owner->add_option("--subgid", o->files.subgid, "the subordinate gid file")->group("");
  owner->callback([o, &ctx] {
    auto who = idmap::OwnerOf(o->source);
    if (!who.ok()) return ctx.Fail(who.error());
    if (!idmap::Mappable(*who)) {
      ctx.err << o->source
              << " is owned by root: the child sees it owned by nobody (root is never mapped through)\n";
      return;
    }
    auto changed = idmap::AllowOwner(*who, o->files);
    if (!changed.ok()) return ctx.Fail(changed.error());
    if (*changed && o->restart) {
      ctx.err << "restarting incusd to load the new subordinate ids\n";
      if (auto s = idmap::RestartIncus(SystemRunner()); !s.ok()) return ctx.Fail(s.error());
    }
    ctx.out << idmap::SelfMap(*who);
  });
}

}  // namespace forest::cli

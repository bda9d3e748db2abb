// forest shell's operator commands on jails: snapshot and restore, ports
// published to other machines, per-jail metrics, health, the network
// policy's refresh, and images (build, list, publish a jail, clean up).
#include <iostream>

#include "cli/shell_cmd.h"
#include "image/image.h"
#include "shellhost/health.h"
#include "shellhost/images.h"
#include "shellhost/policy.h"
#include "shellhost/ports.h"
#include "shellhost/snapshots.h"

namespace forest::cli {

namespace {

using Json = nlohmann::json;

struct Named {
  ss::Flags f;
  std::string name;
  std::string arg;
  bool json = false;
};

// NAME's jail in the session of the current directory's configuration.
Result<std::pair<ss::Session, shell::Jail>> Find(const Named& o) {
  FOREST_ASSIGN_OR_RETURN(auto opened, OpenShellState(o.f, false));
  const shell::Jail* j = opened.st.Find(o.name);
  if (!j) return MakeError("no jail '" + o.name + "'; `forest shell list` shows them");
  return std::make_pair(std::move(opened.s), *j);
}

void AddSnapshots(CLI::App* shell, Context& ctx) {
  {
    auto* cmd = shell->add_subcommand("snapshot", "Snapshot a jail (its whole root disk), or list its snapshots");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("SNAPSHOT", o->arg, "snapshot name (default: list them)");
    cmd->add_flag("--json", o->json, "list as JSON");
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      if (o->arg.empty()) {
        auto list = ss::ListSnapshots(p->first, o->name);
        if (!list.ok()) return ctx.Fail(list.error());
        Json out = Json::array();
        for (const auto& x : *list) out.push_back({{"name", x.name}, {"created", x.created}});
        if (o->json) {
          ctx.out << out.dump(2) << "\n";
        } else {
          for (const auto& x : out)
            ctx.out << x["name"].get<std::string>() << "  " << x["created"].get<std::string>() << "\n";
        }
        return;
      }
      if (auto r = ss::TakeSnapshot(p->first, o->name, o->arg); !r.ok()) return ctx.Fail(r.error());
      ctx.err << "snapshot " << o->name << "/" << o->arg << " taken\n";
    });
  }
  {
    auto* cmd = shell->add_subcommand("restore", "Restore a jail to a snapshot (the workspace is the host's and stays)");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("SNAPSHOT", o->arg, "snapshot name")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      if (auto r = ss::RestoreSnapshot(p->first, o->name, o->arg); !r.ok()) return ctx.Fail(r.error());
      ctx.err << "restored " << o->name << " to " << o->arg << "\n";
    });
  }
}

void AddPorts(CLI::App* shell, Context& ctx) {
  auto* ports = shell->add_subcommand("ports", "Publish a jail's port on this host's addresses (for other machines)");
  ports->require_subcommand(1);
  {
    auto* cmd = ports->add_subcommand("publish", "HOSTPORT[:JAILPORT]: an Incus proxy device, TCP");
    auto o = std::make_shared<Named>();
    std::shared_ptr<std::string> listen = std::make_shared<std::string>("0.0.0.0");
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("PORTS", o->arg, "HOSTPORT[:JAILPORT], e.g. 8080:3000")->required();
    cmd->add_option("--address", *listen, "the host address to listen on (default 0.0.0.0)");
    cmd->callback([o, listen, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto ports = ss::ParsePorts(o->arg);
      if (!ports.ok()) return ctx.Fail(ports.error());
      if (auto r = ss::PublishPort(p->first, o->name, *listen, *ports); !r.ok()) return ctx.Fail(r.error());
      std::string addr = ss::ListenAddress(*listen);
      const std::string& hp = ports->host;
      const std::string& jp = ports->jail;
      ctx.err << "published " << o->name << ":" << jp << " on " << addr << ":" << hp << "\n";
    });
  }
  {
    auto* cmd = ports->add_subcommand("list", "Ports published for a jail");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_flag("--json", o->json, "print JSON");
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto list = ss::ListPorts(p->first, o->name);
      if (!list.ok()) return ctx.Fail(list.error());
      Json out = Json::array();
      for (const auto& e : *list)
        out.push_back({{"device", e.device}, {"listen", e.listen}, {"connect", e.connect}});
      if (o->json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& e : out) ctx.out << e["listen"].get<std::string>() << " -> " << e["connect"].get<std::string>() << "\n";
    });
  }
  {
    auto* cmd = ports->add_subcommand("remove", "Stop publishing HOSTPORT");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("HOSTPORT", o->arg, "the host port")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      if (auto r = ss::UnpublishPort(p->first, o->name, o->arg); !r.ok()) return ctx.Fail(r.error());
    });
  }
}

void AddMetrics(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("metrics", "A jail's CPU, memory, processes and I/O from Incus's metrics endpoint");
  auto o = std::make_shared<Named>();
  cmd->add_option("NAME", o->name, "the jail")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &ctx] {
    auto p = Find(*o);
    if (!p.ok()) return ctx.Fail(p.error());
    auto m = ss::JailMetrics(p->first, o->name);
    if (!m.ok()) return ctx.Fail(m.error());
    if (o->json) {
      ctx.out << Json(*m).dump(2) << "\n";
      return;
    }
    for (const auto& [k, v] : *m) ctx.out << k << " " << std::fixed << v << "\n";
  });
}

void AddHealth(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("health", "Is the shell forest well? Exit 0 healthy, 1 degraded, 2 Incus unreachable");
  auto o = std::make_shared<Named>();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &ctx] {
    auto opened = OpenShellState(o->f, false);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    ss::Health h = ss::CheckHealth(*s, *st);
    int code = h.code;
    Json checks = Json::array();
    for (const auto& c : h.checks) checks.push_back({{"check", c.what}, {"ok", c.ok}, {"fix", c.fix}});
    if (o->json) {
      ctx.out << Json{{"healthy", code == 0}, {"status", code == 0 ? "healthy" : code == 1 ? "degraded" : "down"}, {"checks", checks}}
                     .dump(2)
              << "\n";
    } else {
      for (const auto& c : checks) {
        ctx.out << (c["ok"].get<bool>() ? "ok    " : "FAIL  ") << c["check"].get<std::string>()
                << (c["ok"].get<bool>() ? "" : " — " + c["fix"].get<std::string>()) << "\n";
      }
    }
    ctx.exit_code = code;
  });
}

void AddNet(CLI::App* shell, Context& ctx) {
  auto* net = shell->add_subcommand("net", "The jails' network policy on this host");
  net->require_subcommand(1);
  auto* cmd = net->add_subcommand("refresh", "Resolve allowlists again and reload the policy (forest shell does "
                                              "this at start and every allow_refresh seconds while a session runs)");
  auto f = std::make_shared<ss::Flags>();
  cmd->callback([f, &ctx] {
    auto opened = OpenShellState(*f, true);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* st = &opened->st;
    if (auto r = ss::ApplyNetPolicy(opened->s, *st); !r.ok()) return ctx.Fail(r.error());
    ctx.err << "network policy reloaded for " << st->jails.size() << " jail(s)\n";
  });
}

void AddImages(CLI::App* shell, Context& ctx) {
  auto* img = shell->add_subcommand("image", "The jail image (forest's node image: tmux, git, Podman, Incus)");
  img->require_subcommand(1);
  {
    auto* cmd = img->add_subcommand("build", "Build it unless the cache holds this recipe's build");
    auto force = std::make_shared<bool>(false);
    cmd->add_flag("--force", *force, "rebuild even when cached");
    cmd->callback([force, &ctx] {
      auto r = image::EnsureBuilt(image::Kind::kNode, [](const std::string& s) { std::cerr << s << std::endl; }, *force);
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.out << *r << "\n";
    });
  }
  {
    auto* cmd = img->add_subcommand("list", "Images in the shell forest's project");
    auto o = std::make_shared<Named>();
    cmd->add_flag("--json", o->json, "print JSON");
    cmd->callback([o, &ctx] {
      auto s = OpenShellSession(o->f);
      if (!s.ok()) return ctx.Fail(s.error());
      Json out = Json::array();
      for (const auto& i : ss::ListImages(*s)) {
        out.push_back({{"fingerprint", i.fingerprint},
                       {"alias", i.alias},
                       {"size", i.size},
                       {"description", i.description}});
      }
      if (o->json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& i : out) {
        ctx.out << i["fingerprint"].get<std::string>() << "  " << i["alias"].get<std::string>() << "  "
                << i["description"].get<std::string>() << "\n";
      }
      if (out.empty()) ctx.out << "no images yet (the first `forest shell` imports them)\n";
    });
  }
  {
    auto* cmd = img->add_subcommand(
        "publish", "Publish a jail as an image for new jails (`--image ALIAS`): its packages, /etc and homes");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("ALIAS", o->arg, "the image's alias (moved from an older image of that name)")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto fp = ss::PublishJail(p->first, p->second, o->arg,
                                [&](const std::string& s) { ctx.err << s << std::endl; });
      if (!fp.ok()) return ctx.Fail(fp.error());
      ctx.out << o->arg << " " << fp->substr(0, 12) << "\n";
    });
  }
  {
    auto* cmd = img->add_subcommand(
        "cleanup", "Delete images no alias names and no jail was made from, and cached builds of old recipes");
    auto o = std::make_shared<Named>();
    auto dry = std::make_shared<bool>(false);
    cmd->add_flag("--dry-run,-n", *dry, "only say what would go");
    cmd->callback([o, dry, &ctx] {
      auto s = OpenShellSession(o->f);
      if (!s.ok()) return ctx.Fail(s.error());
      auto gone = ss::CleanupImages(*s, *dry);
      if (!gone.ok()) return ctx.Fail(gone.error());
      for (const auto& g : *gone) ctx.out << (*dry ? "would delete " : "deleted ") << g << "\n";
      if (gone->empty()) ctx.out << "nothing to clean up\n";
    });
  }
}

}  // namespace

void AddShellOpsCommands(CLI::App* shell, Context& ctx) {
  AddSnapshots(shell, ctx);
  AddPorts(shell, ctx);
  AddMetrics(shell, ctx);
  AddHealth(shell, ctx);
  AddNet(shell, ctx);
  AddImages(shell, ctx);
}

}  // namespace forest::cli

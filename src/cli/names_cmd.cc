// Naming-plane commands. On the host: `forest tree` (the helper's view) and
// `forest host-dns install|remove` (teach the host's resolver ~incus). Inside
// a node: `register-local-record` / `unregister-local-record` /
// `local-records` (service names on this node) and `export-registration`
// (what this node passes upward; its parent pulls it). The work is done in
// node/registrations.h (inside a node), helper/forest_tree.h (the tree) and
// up/host_dns.h; here flags become those calls and their answers are printed.

#include <iostream>

#include "api/forestd_client.h"
#include "base/process.h"
#include "cli/command.h"
#include "helper/forest_tree.h"
#include "node/agent.h"
#include "node/registrations.h"
#include "up/host_dns.h"

namespace forest::cli {

namespace {

using Json = nlohmann::json;

struct NodeFiles {
  std::string dir = "/etc/forest";
  std::string state = node::kStateDir;
};

void AddNodeFileOptions(CLI::App* cmd, NodeFiles& f) {
  cmd->add_option("--dir", f.dir, "this node's forest inputs (topology.yaml, slots.json, self)")
      ->capture_default_str();
  cmd->add_option("--state", f.state, "forestd's state directory")->capture_default_str();
}

// Notes and warnings of the names library go to stderr as they come.
node::Note ToErr(Context& ctx) {
  return [&ctx](const std::string& line) { ctx.err << line; };
}

void AddNodeNameCommands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("register-local-record",
                                   "(inside a node) publish a service name for a workload of this node "
                                   "(or the node itself); registering the name again retargets it");
    struct Opts {
      NodeFiles f;
      std::string name, target;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--name", o->name, "service name, e.g. auth.app.incus")->required();
    cmd->add_option("--target-name", o->target, "workload whose address it gets, e.g. app.incus")->required();
    AddNodeFileOptions(cmd, o->f);
    cmd->callback([o, &ctx] {
      auto n = LoadThisNode(o->f.dir);
      if (!n.ok()) return ctx.Fail(n.error());
      api::HttpForestdClient forestd;
      node::Registrations here(o->f.state, n->loaded->plan, *n->self, forestd);
      auto r = here.Register(o->name, o->target, ToErr(ctx));
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.out << "registered " << r->name << " → " << r->target << "\n";
      here.Poke(ToErr(ctx));
    });
  }
  {
    auto* cmd = app.add_subcommand("unregister-local-record", "(inside a node) withdraw a service name");
    struct Opts {
      NodeFiles f;
      std::string name;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--name", o->name, "service name, e.g. auth.app.incus")->required();
    AddNodeFileOptions(cmd, o->f);
    cmd->callback([o, &ctx] {
      auto n = LoadThisNode(o->f.dir);
      if (!n.ok()) return ctx.Fail(n.error());
      api::HttpForestdClient forestd;
      node::Registrations here(o->f.state, n->loaded->plan, *n->self, forestd);
      auto name = here.Withdraw(o->name);
      if (!name.ok()) return ctx.Fail(name.error());
      ctx.out << "withdrew " << *name << "\n";
      here.Poke(ToErr(ctx));
    });
  }
  {
    auto* cmd = app.add_subcommand("local-records", "(inside a node) list the service names registered here");
    auto o = std::make_shared<NodeFiles>();
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print JSON");
    AddNodeFileOptions(cmd, *o);
    cmd->callback([o, json, &ctx] {
      auto n = LoadThisNode(o->dir);
      if (!n.ok()) return ctx.Fail(n.error());
      api::HttpForestdClient forestd;
      auto list = node::Registrations(o->state, n->loaded->plan, *n->self, forestd).List();
      if (!list.ok()) return ctx.Fail(list.error());
      Json out = Json::array();
      for (const auto& r : *list) {
        out.push_back({{"name", r.name}, {"target", r.target}});
        if (!*json) ctx.out << r.name << " → " << r.target << "\n";
      }
      if (*json) ctx.out << out.dump(2) << "\n";
    });
  }
  {
    auto* cmd = app.add_subcommand("export-registration",
                                   "(inside a node) print this node's export (schema 1): what its parent pulls");
    auto o = std::make_shared<NodeFiles>();
    AddNodeFileOptions(cmd, *o);
    cmd->callback([o, &ctx] {
      auto text = node::ReadExport(o->state);
      if (!text.ok()) return ctx.Fail(text.error());
      ctx.out << *text;
    });
  }
}

// --- host side ---------------------------------------------------------------

void AddHostNameCommands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("tree", "Show every node and service of a forest with its canonical "
                                           "name, published aliases and addresses (from the helper)");
    struct Opts {
      std::string forest;
      bool json = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("NAME", o->forest, "forest name (default: the only one here)");
    cmd->add_flag("--json", o->json, "print the helper's view as JSON");
    cmd->callback([o, &ctx] {
      auto k = FindForest(o->forest);
      if (!k.ok()) return ctx.Fail(k.error());
      api::HttpForestdClient forestd;
      auto view = helper::AskForest(forestd, k->loaded->topology.name, k->loaded->plan.helper_address);
      if (!view.ok()) return ctx.Fail(view.error());
      if (o->json) {
        ctx.out << api::ToJson(*view).dump(2) << "\n";
      } else {
        ctx.out << helper::RenderTree(*view);
      }
    });
  }
  auto* group = app.add_subcommand("host-dns", "Teach this host's resolver to ask the forest's helper "
                                               "for .incus (systemd-resolved drop-in)");
  group->require_subcommand(1);
  struct Opts {
    std::string forest;
    std::string root = "";
  };
  auto o = std::make_shared<Opts>();
  for (const char* verb : {"install", "remove"}) {
    auto* cmd = group->add_subcommand(verb, std::string(verb) == "install"
                                                ? "Write the drop-in (DNS=<helper>, Domains=~incus) and "
                                                  "print the equivalent for other resolvers"
                                                : "Remove the drop-in");
    cmd->add_option("NAME", o->forest, "forest name (default: the only one here)");
    cmd->add_option("--root", o->root, "write below this directory instead of / (for packaging and tests)");
    bool install = std::string(verb) == "install";
    cmd->callback([o, install, &ctx] {
      auto k = FindForest(o->forest);
      if (!k.ok()) return ctx.Fail(k.error());
      std::string name = k->loaded->topology.name;
      std::string helper = k->loaded->plan.helper_address.ToString();
      up::HostDnsTarget target = up::HostDnsTargetFor(o->root);
      if (install) {
        auto c = up::InstallHostDns(target, name, helper, SystemRunner());
        if (!c.ok()) return ctx.Fail(c.error());
        ctx.out << "wrote " << c->file << "\n";
        if (c->resolved_runs) {
          ctx.out << (c->reloaded ? "systemd-resolved reloaded\n"
                                  : "reload systemd-resolved to apply: systemctl restart systemd-resolved\n");
        } else {
          ctx.out << "systemd-resolved does not run here; the drop-in applies once it does. Other resolvers:\n";
        }
        ctx.out << "  dnsmasq:  server=/incus/" << helper << "\n"
                << "  unbound:  stub-zone: name: \"incus\" stub-addr: " << helper << "\n"
                << "  one shell: a mount namespace with its own resolv.conf (nameserver " << helper
                << "), e.g. unshare -m sh -c 'mount --bind my-resolv.conf /etc/resolv.conf && exec bash'\n";
        return;
      }
      up::HostDnsChange c = up::RemoveHostDns(target, name, SystemRunner());
      if (!c.changed) {
        ctx.out << "nothing to remove: " << c.file << " does not exist\n";
        return;
      }
      ctx.out << "removed " << c.file << "\n";
    });
  }
}

}  // namespace

void AddNameCommands(CLI::App& app, Context& ctx) {
  AddHostNameCommands(app, ctx);
  AddNodeNameCommands(app, ctx);
}

}  // namespace forest::cli

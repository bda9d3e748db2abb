// Naming-plane commands. On the host: `forest tree` (the helper's view) and
// `forest host-dns install|remove` (teach the host's resolver ~incus). Inside
// a node: `register-local-record` / `unregister-local-record` /
// `local-records` (service names on this node) and `export-registration`
// (what this node passes upward; its parent pulls it).

#include <filesystem>
#include <iostream>
#include <map>

#include "api/node_api.h"
#include "api/paths.h"
#include "base/files.h"
#include "cli/command.h"
#include "helper/forest_tree.h"
#include "http/client.h"
#include "node/agent.h"
#include "node/local_records.h"
#include "render/writer.h"

namespace forest::cli {

namespace {

namespace fs = std::filesystem;
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

// Read-modify-write of the registrations file under a lock; forestd only reads it.
Status EditRegistrations(const NodeFiles& f,
                         const std::function<Result<std::vector<node::Service>>(std::vector<node::Service>)>& edit) {
  FOREST_TRY(MakeDirs(f.state));
  FOREST_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(f.state + "/local-records.lock"));
  std::string file = f.state + "/" + node::kRegistrationsFile;
  std::vector<node::Service> current;
  Status s;
  auto parsed = node::ReadRegistrations(f.state);
  if (!parsed.ok()) {
    s = MakeError(parsed.error().message + "; fix or remove the file, then try again");
  } else {
    current = *parsed;
  }
  if (s.ok()) {
    auto next = edit(current);
    if (!next.ok()) {
      s = next.error();
    } else {
      s = WriteFileAtomic(file, node::SerializeServices(*next));
    }
  }
  return s;
}

// Tells this node's forestd to look again (it also notices on its next repair).
void PokeLocal(const plan::NodePlan& self, std::ostream& err) {
  auto r = http::Call("POST", self.node_address.ToString(), api::kPort, api::kPoke, api::SerializePoke({}),
                      {std::chrono::seconds(2), ""});
  if (!r.ok() || r->status != 200) {
    err << "forest: warning: forestd did not take the change at once ("
        << (r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message)
        << "); it applies it on its next repair. `systemctl status forestd` shows the daemon.\n";
  }
}

// The aliases the helper publishes now (GET /v1/forest, 2 s deadline): alias
// → canonical. Without an answer the check falls back on the plan's nodes.
std::map<std::string, std::string> PublishedAliases(const plan::Plan& plan, std::ostream& err) {
  std::map<std::string, std::string> out;
  auto r = http::Call("GET", plan.helper_address.ToString(), api::kPort, api::kForest, "",
                      {std::chrono::seconds(2), ""});
  Json j = r.ok() && r->status == 200 ? Json::parse(r->body, nullptr, false) : Json();
  if (!j.is_object() || !j["names"].is_array()) {
    err << "forest: note: the helper did not answer (" << (r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message)
        << "); only the plan's node names were checked\n";
    return out;
  }
  for (const auto& n : j["names"]) {
    if (!n.is_object() || !n["name"].is_string() || !n["aliases"].is_array()) continue;
    for (const auto& a : n["aliases"]) {
      if (a.is_string()) out[a.get<std::string>()] = n["name"].get<std::string>();
    }
  }
  return out;
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
      auto s = node::ResolveService(o->name, o->target, *n->self);
      if (!s.ok()) return ctx.Fail(s.error());
      auto published = PublishedAliases(n->loaded->plan, ctx.err);
      if (auto why = node::ServiceShadows(*s, *n->self, n->loaded->plan, published)) {
        return ctx.Fail(MakeError("--name " + o->name + ": " + *why +
                                  "; a service may not take another node's name (the helper would hold it back "
                                  "and sign it for nobody here). Choose another name"));
      }
      auto st = EditRegistrations(o->f, [&](std::vector<node::Service> cur) -> Result<std::vector<node::Service>> {
        return node::WithService(std::move(cur), *s);
      });
      if (!st.ok()) return ctx.Fail(st.error());
      std::string target = s->target.empty() ? n->self->canonical_name : s->target + "." + n->self->canonical_name;
      ctx.out << "registered " << s->label_path << "." << n->self->canonical_name << " → " << target << "\n";
      PokeLocal(*n->self, ctx.err);
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
      auto s = node::ResolveService(o->name, n->self->canonical_name, *n->self);
      if (!s.ok()) return ctx.Fail(s.error());
      auto st = EditRegistrations(o->f, [&](std::vector<node::Service> cur) {
        return node::WithoutService(std::move(cur), s->label_path);
      });
      if (!st.ok()) return ctx.Fail(st.error());
      ctx.out << "withdrew " << s->label_path << "." << n->self->canonical_name << "\n";
      PokeLocal(*n->self, ctx.err);
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
      auto list = node::ReadRegistrations(o->state);
      if (!list.ok()) return ctx.Fail(list.error());
      Json out = Json::array();
      for (const auto& s : *list) {
        std::string name = s.label_path + "." + n->self->canonical_name;
        std::string target = s.target.empty() ? n->self->canonical_name : s.target + "." + n->self->canonical_name;
        out.push_back({{"name", name}, {"target", target}});
        if (!*json) ctx.out << name << " → " << target << "\n";
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
      std::string file = o->state + "/" + node::kExportFile;
      auto text = ReadFile(file);
      if (!text.ok()) {
        return ctx.Fail(MakeError(file + ": no export yet (" + text.error().message +
                                  "); is forestd running? `systemctl status forestd`"));
      }
      ctx.out << *text;
    });
  }
}

// --- host side ---------------------------------------------------------------

std::string ResolvedDropIn(const std::string& root, const std::string& forest) {
  return root + "/etc/systemd/resolved.conf.d/forest-" + forest + ".conf";
}

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
      std::string helper = k->loaded->plan.helper_address.ToString();
      auto r = http::Call("GET", helper, api::kPort, api::kForest);
      if (!r.ok() || r->status != 200) {
        return ctx.Fail(MakeError("the helper of '" + k->loaded->topology.name + "' at [" + helper +
                                  "]:8053 did not answer (" +
                                  (r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message) +
                                  "); `forest status` shows whether it runs"));
      }
      Json j = Json::parse(r->body, nullptr, false);
      if (j.is_discarded()) return ctx.Fail(MakeError("the helper answered something that is not JSON"));
      if (o->json) {
        ctx.out << j.dump(2) << "\n";
      } else {
        ctx.out << helper::RenderTree(j);
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
      std::string file = ResolvedDropIn(o->root, name);
      bool resolved_runs = o->root.empty() && fs::exists("/run/systemd/resolve");
      if (install) {
        std::string text = "# forest '" + name + "': names under .incus come from its helper.\n"
                           "# Written by `forest host-dns install`; `forest host-dns remove` deletes it.\n"
                           "[Resolve]\nDNS=" + helper + "\nDomains=~incus\n";
        if (auto s = MakeDirs(fs::path(file).parent_path().string()); !s.ok()) return ctx.Fail(s.error());
        if (auto s = WriteFileAtomic(file, text); !s.ok()) return ctx.Fail(s.error());
        ctx.out << "wrote " << file << "\n";
        if (resolved_runs) {
          int rc = std::system("systemctl try-reload-or-restart systemd-resolved >/dev/null 2>&1");
          ctx.out << (rc == 0 ? "systemd-resolved reloaded\n"
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
      std::error_code ec;
      if (!fs::remove(file, ec)) {
        ctx.out << "nothing to remove: " << file << " does not exist\n";
        return;
      }
      ctx.out << "removed " << file << "\n";
      if (resolved_runs) std::system("systemctl try-reload-or-restart systemd-resolved >/dev/null 2>&1");
    });
  }
}

}  // namespace

void AddNameCommands(CLI::App& app, Context& ctx) {
  AddHostNameCommands(app, ctx);
  AddNodeNameCommands(app, ctx);
}

}  // namespace forest::cli

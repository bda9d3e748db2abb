// forest up / down / status / exec / ssh, and the commands the forest
// binary runs inside nodes (node-up, node-exec, node-status).
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "base/files.h"
#include "base/process.h"
#include "base/ssh_keys.h"
#include "cli/command.h"
#include "incus/api.h"
#include "incus/events.h"
#include "render/materialize.h"
#include "render/writer.h"
#include "shellhost/policy.h"
#include "trust/caroot.h"
#include "up/boot.h"
#include "up/converge.h"
#include "up/exec_tty.h"
#include "up/node_inputs.h"
#include "up/remembered.h"
#include "up/ssh_node.h"

namespace forest::cli {

namespace {

void Progress(const std::string& line) { std::cout << line << std::endl; }

}  // namespace

// Streams a command's output to the terminal as it arrives.
incus::OutputSink StreamTo(Context& ctx) {
  return [&ctx](int fd, std::string_view bytes) {
    std::ostream& o = fd == 2 ? ctx.err : ctx.out;
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    o.flush();
  };
}

void AddUpCommands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("up", "Build or converge the topology on this Incus host "
                                          "(idempotent; its own Incus project)");
    struct Opts {
      std::string file;
      bool guard = false;
      std::string caroot;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("FILE", o->file, "topology file")->required();
    cmd->add_option("--caroot", o->caroot,
                    "mkcert's CAROOT whose root the helper signs with (made if absent; default: $CAROOT, "
                    "else ~/.local/share/mkcert)");
    cmd->add_flag("--guard-uplink", o->guard,
                  "install an nftables table that drops forest traffic towards the machine's "
                  "uplink (test hygiene; `down` removes it)");
    cmd->callback([o, &ctx] {
      auto r = up::LoadAndPlanRemembered(o->file);
      if (!r.ok()) return ctx.Fail(r.error());
      if (auto s = up::Remember(*r); !s.ok()) return ctx.Fail(s.error());
      const auto& l = *r->loaded;
      const std::string& dir = r->slots_dir;
      up::Options opts;
      opts.topology_text = l.text;
      opts.slots = l.plan.Slots();
      opts.self_binary = SelfBinary();
      opts.authorized_keys = HostAuthorizedKeys();
      opts.guard_uplink = o->guard;
      opts.caroot = o->caroot.empty() ? trust::DefaultCaroot() : o->caroot;
      if (const char* a = std::getenv("SSH_AUTH_SOCK"); a && *a) opts.agent_socket = a;
      opts.progress = Progress;
      opts.state_dir = dir;
      auto client = up::ForestIncus(l.topology);
      if (auto s = up::UpHost(client, l.topology, l.plan, opts); !s.ok()) {
        ctx.Fail(s.error().Wrap("up " + o->file));
        ctx.err << "forest: `forest down " << o->file << "` removes what was made so far\n";
      }
    });
  }
  {
    auto* cmd = app.add_subcommand("down", "Remove everything `up` made for the topology: "
                                            "instances, profiles, images, project, bridge");
    auto arg = std::make_shared<std::string>();
    cmd->add_option("FILE", *arg, "topology file, or the name of a forest brought up here "
                                  "(its saved topology is used)")
        ->required();
    cmd->callback([arg, &ctx] {
      auto file = up::TopologyOrRemembered(*arg);
      if (!file.ok()) return ctx.Fail(file.error());
      auto loaded = LoadAndPlan(*file);
      if (!loaded.ok()) return ctx.Fail(loaded.error());
      std::string dir = up::ForestStateDir((*loaded)->topology.name);
      auto client = up::ForestIncus((*loaded)->topology);
      if (auto s = up::DownHost(client, (*loaded)->topology, dir, Progress); !s.ok()) {
        return ctx.Fail(s.error().Wrap("down " + *arg));
      }
      // A forest shell forest: its network policy table goes with it.
      if (up::Forget(dir)) shellhost::DropPolicyTable((*loaded)->topology.name);
    });
  }
  {
    auto* cmd = app.add_subcommand("status", "Show what runs at every level of the forests "
                                              "brought up here");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print JSON");
    cmd->callback([json, &ctx] {
      auto forests = KnownForests();
      if (!forests.ok()) return ctx.Fail(forests.error());
      nlohmann::json all = nlohmann::json::array();
      for (const auto& k : *forests) {
        auto client = up::ForestIncus(k.loaded->topology);
        auto tree = up::StatusTree(client, true);
        if (!tree.ok()) return ctx.Fail(tree.error());
        all.push_back({{"forest", k.loaded->topology.name},
                       {"project", client.project()},
                       {"instances", *tree}});
      }
      if (*json) {
        ctx.out << all.dump(2) << "\n";
        return;
      }
      std::function<void(const nlohmann::json&, int)> print = [&](const nlohmann::json& list,
                                                                   int depth) {
        for (const auto& e : list) {
          std::string addrs;
          for (const auto& a : e["addresses"]) addrs += " " + a.get<std::string>();
          ctx.out << std::string(2 * depth + 2, ' ') << e["name"].get<std::string>() << "  "
                  << e["status"].get<std::string>() << "  "
                  << (e["role"].get<std::string>().empty() ? "-" : e["role"].get<std::string>())
                  << (e["privileged"].get<bool>() ? "  PRIVILEGED" : "") << addrs << "\n";
          if (e.contains("children")) print(e["children"], depth + 1);
          if (e.contains("children_error")) {
            ctx.out << std::string(2 * depth + 4, ' ') << "(cannot list: "
                    << e["children_error"].get<std::string>() << ")\n";
          }
        }
      };
      for (const auto& f : all) {
        ctx.out << f["forest"].get<std::string>() << " (project " << f["project"].get<std::string>()
                << ")\n";
        print(f["instances"], 0);
      }
      if (all.empty()) ctx.out << "no forests brought up here (" << StateRoot() << ")\n";
    });
  }
  {
    auto* cmd = app.add_subcommand("exec", "Run a command in a node or workload at any depth, "
                                            "by name (no DNS needed)");
    auto node = std::make_shared<std::string>();
    auto no_stdin = std::make_shared<bool>(false);
    auto tty = std::make_shared<bool>(false);
    cmd->add_option("NODE", *node, "canonical name, or a unique label")->required();
    cmd->add_flag("-n,--no-stdin", *no_stdin, "give the command /dev/null as stdin (like ssh -n)");
    cmd->add_flag("-t,--tty", *tty, "give the command a terminal (like ssh -t; for vi, top, a shell)")
        ->excludes("--no-stdin");
    cmd->footer(
        "The command follows after --: forest exec c0-2-1 -- incus list\n"
        "Its stdin is this one's, streamed: echo hi | forest exec c0-2-1 -- cat\n"
        "With a terminal: forest exec -t c0-2-1 -- top");
    cmd->callback([node, no_stdin, tty, &ctx] {
      if (ctx.tail.empty()) return ctx.Fail(MakeError("usage: forest exec NODE -- CMD [ARGS...]"));
      std::vector<Known> forests;
      auto found = Locate(*node, forests);
      if (!found.ok()) return ctx.Fail(found.error());
      if (*tty) {
        ctx.out.flush();
        auto r = up::ExecPathTty(render::ProjectName(found->forest->loaded->topology), found->path, ctx.tail);
        if (!r.ok()) return ctx.Fail(r.error());
        ctx.exit_code = *r;
        return;
      }
      auto client = up::ForestIncus(found->forest->loaded->topology);
      auto r = up::ExecPath(client, found->path, ctx.tail, StreamTo(ctx), *no_stdin ? -1 : STDIN_FILENO);
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.exit_code = *r;
    });
  }
  {
    auto* cmd = app.add_subcommand("ssh", "ssh to a node or workload by name, through its "
                                           "address (before DNS exists)");
    auto node = std::make_shared<std::string>();
    cmd->add_option("NODE", *node, "canonical name, or a unique label")->required();
    cmd->footer("A remote command may follow after --: forest ssh c0-2-1 -- uptime");
    cmd->callback([node, &ctx] {
      std::vector<Known> forests;
      auto found = Locate(*node, forests);
      if (!found.ok()) return ctx.Fail(found.error());
      auto client = up::ForestIncus(found->forest->loaded->topology);
      auto address = up::SshAddress(client, *found);
      if (!address.ok()) return ctx.Fail(address.error());
      ctx.Fail(ReplaceProcess(up::SshArgv(found->forest->dir, *address, ctx.tail)));
    });
  }

  {
    auto* cmd = app.add_subcommand("events", "Print Incus events as JSON lines (the events "
                                              "websocket of this host's or a forest's Incus)");
    struct Opts {
      std::string types = "lifecycle";
      std::string project;
      int count = 0;
      int timeout = 0;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--type", o->types, "lifecycle, operation, logging (comma-separated)");
    cmd->add_option("--project", o->project, "Incus project (default: all projects)");
    cmd->add_option("--count", o->count, "stop after this many events (0: never)");
    cmd->add_option("--timeout", o->timeout, "fail after this many idle seconds (0: wait forever)");
    cmd->callback([o, &ctx] {
      incus::EventFilter f;
      f.types = o->types;
      f.project = o->project;
      f.all_projects = o->project.empty();
      int seen = 0;
      auto s = incus::WatchEvents(
          incus::DefaultSocketPath(), f,
          [&](const nlohmann::json& e) {
            ctx.out << e.dump() << std::endl;
            return o->count == 0 || ++seen < o->count;
          },
          std::chrono::seconds(o->timeout));
      if (!s.ok()) ctx.Fail(s.error());
    });
  }

  // --- run by the forest binary inside nodes --------------------------------
  {
    auto* cmd = app.add_subcommand("node-up", "(inside a node) converge this node's Incus: "
                                               "preparation, images, workloads, children");
    struct Opts {
      std::string self;
      std::string dir = up::kNodeDir;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--self", o->self, "this node's canonical name")->required();
    cmd->add_option("--dir", o->dir, "directory with topology.yaml, slots.json, parent.json");
    cmd->callback([o, &ctx] {
      auto n = up::LoadNodeUp(o->dir, o->self);
      if (!n.ok()) return ctx.Fail(n.error());
      const auto& l = *n->loaded;
      up::Options opts;
      opts.topology_text = l.text;
      opts.slots = l.plan.Slots();
      opts.self_binary = SelfBinary();
      opts.authorized_keys = n->authorized_keys;
      opts.agent_socket = n->agent_socket;
      opts.progress = Progress;
      auto client = incus::Client::Local();
      if (auto s = up::UpNode(client, l.topology, l.plan, *n->self, n->parent, opts); !s.ok()) {
        ctx.Fail(s.error().Wrap(o->self));
      }
    });
  }
  {
    auto* cmd = app.add_subcommand("node-boot", "(inside a node, from forest-boot.service) prepare the node "
                                                 "before Incus starts: forwarding, cgroup fix-up, subordinate ids");
    cmd->callback([&ctx] {
      auto lines = up::RunPrepare(true);
      if (!lines.ok()) return ctx.Fail(lines.error());
      for (const auto& line : *lines) ctx.out << line << "\n";
      ctx.out << "node-boot: ready for Incus\n";
    });
  }
  {
    auto* cmd = app.add_subcommand("node-exec", "(inside a node) run a command in a descendant");
    auto first = std::make_shared<std::vector<std::string>>();
    auto tty = std::make_shared<bool>(false);
    cmd->add_option("LABELS", *first, "label of the next level; the rest follow after --")->required();
    cmd->add_flag("-t,--tty", *tty, "with a terminal (forest exec -t)");
    cmd->callback([first, tty, &ctx] {
      if (ctx.tail.empty()) return ctx.Fail(MakeError("usage: node-exec LABEL... -- CMD"));
      if (*tty) {
        ctx.out.flush();
        auto r = up::ExecPathTty("", *first, ctx.tail);
        if (!r.ok()) return ctx.Fail(r.error());
        ctx.exit_code = *r;
        return;
      }
      auto client = incus::Client::Local();
      auto r = up::ExecPath(client, *first, ctx.tail, StreamTo(ctx), STDIN_FILENO);
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.exit_code = *r;
    });
  }
  {
    auto* cmd = app.add_subcommand("node-status", "(inside a node) this node's instances as JSON");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print JSON (the only format)");
    cmd->callback([&ctx] {
      auto client = incus::Client::Local();
      auto tree = up::StatusTree(client, true);
      if (!tree.ok()) return ctx.Fail(tree.error());
      ctx.out << tree->dump() << "\n";
    });
  }
}

}  // namespace forest::cli

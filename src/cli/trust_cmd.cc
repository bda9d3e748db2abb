// Trust-plane commands. On the host: `forest ca stage` (the host's mkcert
// root into the helper's state) and `forest cert issue NODE WORKLOAD` (have
// NODE deploy a certificate into WORKLOAD). Inside a node: `forest cert
// deploy` and `forest cert list`.
#include <iostream>

#include "base/clock.h"
#include "cli/command.h"
#include "node/agent.h"
#include "node/cert_deploy.h"
#include "trust/caroot.h"
#include "up/ca_stage.h"
#include "up/converge.h"

namespace forest::cli {
namespace {

using Json = nlohmann::json;

void AddCaCommand(CLI::App& app, Context& ctx) {
  auto* ca = app.add_subcommand("ca", "The forest's one trust anchor: the host's mkcert root");
  ca->require_subcommand(1);
  auto* stage = ca->add_subcommand("stage", "Copy the host's mkcert root (made if absent) into the helper's "
                                            "state; the key goes nowhere else");
  struct Opts {
    std::string forest;
    std::string caroot;
    bool replace = false;
  };
  auto o = std::make_shared<Opts>();
  stage->add_option("NAME", o->forest, "forest (default: the only one brought up here)");
  stage->add_flag("--replace", o->replace,
                  "replace a different root the helper signs with (certificates it issued stop chaining to it)");
  stage->add_option("--caroot", o->caroot, "mkcert's CAROOT (default: $CAROOT, else ~/.local/share/mkcert)");
  stage->callback([o, &ctx] {
    auto k = FindForest(o->forest);
    if (!k.ok()) return ctx.Fail(k.error());
    std::string dir = o->caroot.empty() ? trust::DefaultCaroot() : o->caroot;
    auto root = trust::LoadOrCreateRoot(dir, true, trust::InvokerOwner());
    if (!root.ok()) return ctx.Fail(root.error());
    if (root->created) ctx.out << "created a new mkcert-compatible root in " << dir << "\n";
    auto client = HostClient(k->loaded->topology);
    auto staged = up::StageRoot(client, k->loaded->topology.helper.name, root->files, dir, o->replace);
    if (!staged.ok()) return ctx.Fail(staged.error());
    auto info = trust::InspectCert(root->files.cert_pem);
    ctx.out << (*staged ? "staged " : "already staged: ") << (info.ok() ? info->subject : dir) << " ("
            << dir << ") in the helper of '" << k->loaded->topology.name << "' (" << up::kHelperCaDir << ")\n";
  });
}

struct DeployOpts {
  std::string workload;
  std::vector<std::string> services;
  std::string dir = "/etc/forest/tls";
  std::string reload;
  int renew_before_days = 30;
};

void AddDeployOptions(CLI::App* cmd, DeployOpts& d) {
  cmd->add_option("WORKLOAD", d.workload, "the plain workload that terminates TLS")->required();
  cmd->add_option("--service", d.services, "a service label: auth → auth.<workload>.<node> (repeatable)");
  cmd->add_option("--dir", d.dir, "directory in the workload for cert.pem, key.pem, root.pem")
      ->capture_default_str();
  cmd->add_option("--reload", d.reload, "command run in the workload (sh -c) after new files arrive");
  cmd->add_option("--renew-before-days", d.renew_before_days, "renew this many days before expiry")
      ->capture_default_str()
      ->check(CLI::Range(0, 3650));
}

void AddCertCommand(CLI::App& app, Context& ctx) {
  auto* cert = app.add_subcommand("cert", "Certificates from the forest CA for plain workloads");
  cert->require_subcommand(1);
  {
    auto* issue = cert->add_subcommand("issue", "Have NODE make a key, get WORKLOAD's names signed by the "
                                                "helper and install cert+key into WORKLOAD; NODE renews it");
    auto node = std::make_shared<std::string>();
    auto d = std::make_shared<DeployOpts>();
    issue->add_option("NODE", *node, "the node hosting the workload (canonical name or unique label)")->required();
    AddDeployOptions(issue, *d);
    issue->callback([node, d, &ctx] {
      std::vector<Known> forests;
      auto found = Locate(*node, forests);
      if (!found.ok()) return ctx.Fail(found.error());
      if (!found->node) return ctx.Fail(MakeError(*node + " is a workload; name the node that hosts it"));
      std::vector<std::string> argv = {"forest", "cert", "deploy", d->workload, "--dir", d->dir,
                                       "--renew-before-days", std::to_string(d->renew_before_days)};
      for (const auto& s : d->services) {
        argv.push_back("--service");
        argv.push_back(s);
      }
      if (!d->reload.empty()) {
        argv.push_back("--reload");
        argv.push_back(d->reload);
      }
      auto client = HostClient(found->forest->loaded->topology);
      auto r = up::ExecPath(client, found->path, argv, StreamTo(ctx));
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.exit_code = *r;
    });
  }
  {
    auto* deploy = cert->add_subcommand("deploy", "Inside a node: make a key, have the helper sign WORKLOAD's "
                                                  "names, push cert+key into WORKLOAD, remember it for renewal");
    auto d = std::make_shared<DeployOpts>();
    AddDeployOptions(deploy, *d);
    deploy->callback([d, &ctx] {
      auto ca = node::LoadCaEndpoint();
      if (!ca.ok()) return ctx.Fail(ca.error());
      node::CertDeployment dep;
      dep.workload = d->workload;
      dep.services = d->services;
      dep.dir = d->dir;
      dep.reload = d->reload;
      dep.renew_before_days = d->renew_before_days;
      auto local = incus::Client::Local();
      auto done = node::DeployAndRecord(local, *ca, node::kStateDir, dep);
      if (!done.ok()) return ctx.Fail(done.error());
      ctx.out << "deployed certificate serial " << done->serial << " into " << dep.workload << ":" << dep.dir
              << " for:\n";
      for (const auto& n : done->names) ctx.out << "  " << n << "\n";
      ctx.out << "forestd renews it " << dep.renew_before_days << " days before it expires ("
              << (done->not_after - UnixNow()) / 86400 << " days from now)\n";
    });
  }
  {
    auto* list = cert->add_subcommand("list", "Inside a node: the certificates it deployed and keeps renewed");
    auto json = std::make_shared<bool>(false);
    list->add_flag("--json", *json, "as JSON");
    list->callback([json, &ctx] {
      auto all = node::ReadDeployments(node::kStateDir);
      if (!all.ok()) return ctx.Fail(all.error());
      if (*json) {
        Json out = Json::array();
        for (const auto& d : *all) {
          out.push_back({{"workload", d.workload}, {"dir", d.dir}, {"services", d.services},
                         {"serial", d.serial}, {"not_after", d.not_after}, {"names", d.names},
                         {"renew_before_days", d.renew_before_days}});
        }
        ctx.out << out.dump(2) << "\n";
        return;
      }
      if (all->empty()) {
        ctx.out << "no certificates deployed from this node (forest cert issue NODE WORKLOAD)\n";
        return;
      }
      for (const auto& d : *all) {
        ctx.out << d.workload << ":" << d.dir << "  serial " << d.serial << "  expires in "
                << (d.not_after - UnixNow()) / 86400 << " days\n";
        for (const auto& n : d.names) ctx.out << "  " << n << "\n";
      }
    });
  }
}

}  // namespace

void AddTrustCommands(CLI::App& app, Context& ctx) {
  AddCaCommand(app, ctx);
  AddCertCommand(app, ctx);
}

}  // namespace forest::cli

// Trust-plane commands. On the host: `forest ca stage` (the host's mkcert
// root into the helper's state), `forest cert issue NODE WORKLOAD` (have
// NODE deploy a certificate into WORKLOAD) and `forest cert revoke`. Inside
// a node: `forest cert deploy` and `forest cert list`; inside the helper:
// `forest helper-revoke`. Flags and printing only: the host's operations
// are up/ca_stage.h and up/trust_ops.h, the node's node/cert_deploy.h, the
// helper's helper/ca_files.h.
#include <algorithm>
#include <iostream>

#include "api/forestd_client.h"
#include "base/clock.h"
#include "cli/command.h"
#include "helper/ca_files.h"
#include "node/agent.h"
#include "node/cert_deploy.h"
#include "trust/caroot.h"
#include "up/ca_stage.h"
#include "up/trust_ops.h"

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
    auto client = up::ForestIncus(k->loaded->topology);
    auto staged = up::StageCaroot(client, k->loaded->topology.helper.name, dir, o->replace,
                                  [&ctx](const std::string& line) { ctx.out << line << "\n"; });
    if (!staged.ok()) return ctx.Fail(staged.error());
    ctx.out << (staged->changed ? "staged " : "already staged: ")
            << (staged->subject.empty() ? dir : staged->subject) << " (" << dir << ") in the helper of '"
            << k->loaded->topology.name << "' (" << up::kHelperCaDir << ")\n";
  });
}

void AddDeployOptions(CLI::App* cmd, up::CertRequest& d) {
  cmd->add_option("WORKLOAD", d.workload, "the plain workload that terminates TLS")->required();
  cmd->add_option("--service", d.services, "a service label: auth → auth.<workload>.<node> (repeatable)");
  cmd->add_option("--dir", d.dir, "directory in the workload for cert.pem, key.pem, root.pem")
      ->capture_default_str();
  cmd->add_option("--reload", d.reload, "command run in the workload (sh -c) after new files arrive");
  cmd->add_option("--renew-before-days", d.renew_before_days, "renew this many days before expiry")
      ->capture_default_str()
      ->check(CLI::Range(0, 3650));
}

void AddRevokeCommand(CLI::App* cert, Context& ctx);

void AddCertCommand(CLI::App& app, Context& ctx) {
  auto* cert = app.add_subcommand("cert", "Certificates from the forest CA for plain workloads");
  cert->require_subcommand(1);
  {
    auto* issue = cert->add_subcommand("issue", "Have NODE make a key, get WORKLOAD's names signed by the "
                                                "helper and install cert+key into WORKLOAD; NODE renews it");
    auto node = std::make_shared<std::string>();
    auto d = std::make_shared<up::CertRequest>();
    issue->add_option("NODE", *node, "the node hosting the workload (canonical name or unique label)")->required();
    AddDeployOptions(issue, *d);
    issue->callback([node, d, &ctx] {
      std::vector<Known> forests;
      auto found = Locate(*node, forests);
      if (!found.ok()) return ctx.Fail(found.error());
      if (!found->node) return ctx.Fail(MakeError(*node + " is a workload; name the node that hosts it"));
      auto client = up::ForestIncus(found->forest->loaded->topology);
      auto r = up::IssueCert(client, found->path, *d, StreamTo(ctx));
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.exit_code = *r;
    });
  }
  {
    auto* deploy = cert->add_subcommand("deploy", "Inside a node: make a key, have the helper sign WORKLOAD's "
                                                  "names, push cert+key into WORKLOAD, remember it for renewal");
    auto d = std::make_shared<up::CertRequest>();
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
      int64_t now = UnixNow();
      ctx.out << "valid for " << (done->not_after - now + 3599) / 3600 << " hours; forestd renews it in "
              << std::max<int64_t>(node::RenewAt(*done) - now, 0) / 3600 << " hours ("
              << (done->not_after - done->not_before <= helper::kAliasLeafSeconds
                      ? "short aliases: 7-day leaves, renewed with a third of their life left"
                      : "--renew-before-days " + std::to_string(dep.renew_before_days))
              << ")\n";
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
  AddRevokeCommand(cert, ctx);
}

struct RevokeOpts {
  std::string forest;
  helper::RevokeSelector select;
  bool dry_run = false;
  bool json = false;
  std::string state = "/var/lib/forestd";
};

void AddSelectorOptions(CLI::App* cmd, RevokeOpts& o) {
  cmd->add_option("--serial", o.select.serials, "a certificate's serial (hex, as openssl x509 -serial prints it; repeatable)");
  cmd->add_option("--node", o.select.node, "every unexpired certificate of this node (canonical name or label)");
  cmd->add_option("--name", o.select.name, "every unexpired certificate holding this name (e.g. anything.incus)");
  cmd->add_option("--reason", o.select.reason, "why, kept with the revocation");
  cmd->add_flag("--dry-run", o.dry_run, "show what would be revoked, revoke nothing");
  cmd->add_flag("--json", o.json, "print JSON");
}

std::string RevocationLine(const Json& r) {
  std::string names;
  for (const auto& n : r["names"]) names += (names.empty() ? "" : ", ") + n.get<std::string>();
  return "serial " + r["serial"].get<std::string>() + " of " + r["caller"].get<std::string>() + " (" + names +
         "): " + r["reason"].get<std::string>();
}

// Inside the helper: pick the leaves from issued.jsonl and add them to
// revoked.json; the running forestd serves them in its next CRL.
void AddHelperRevokeCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("helper-revoke", "(inside the helper) revoke certificates the forest CA issued; "
                                                  "the host runs it through `forest cert revoke`");
  auto o = std::make_shared<RevokeOpts>();
  AddSelectorOptions(cmd, *o);
  cmd->add_option("--state", o->state, "forestd's state directory")->capture_default_str();
  cmd->callback([o, &ctx] {
    auto chosen = helper::CaFiles(o->state + "/ca").Revoke(o->select, UnixNow(), o->dry_run);
    if (!chosen.ok()) return ctx.Fail(chosen.error());
    Json list = Json::array();
    for (const auto& r : *chosen) list.push_back(helper::RevocationJson(r));
    if (o->json) {
      ctx.out << Json{{"revoked", list}, {"dry_run", o->dry_run}}.dump(2) << "\n";
      return;
    }
    for (const auto& r : list)
      ctx.out << (o->dry_run ? "would revoke " : "revoked ") << RevocationLine(r) << "\n";
  });
}

// On the host: `forest cert revoke` runs helper-revoke in the helper through
// Incus (as `forest ca stage` writes there), then checks the helper's CRL.
void AddRevokeCommand(CLI::App* cert, Context& ctx) {
  auto* cmd = cert->add_subcommand("revoke", "Revoke certificates of the forest CA (by serial, node or name); "
                                             "the helper's CRL (GET /v1/crl) lists them from then on");
  auto o = std::make_shared<RevokeOpts>();
  cmd->add_option("NAME", o->forest, "forest (default: the only one brought up here)");
  AddSelectorOptions(cmd, *o);
  cmd->callback([o, &ctx] {
    auto k = FindForest(o->forest);
    if (!k.ok()) return ctx.Fail(k.error());
    const helper::RevokeSelector& s = o->select;
    up::RevokeRequest request{s.serials, s.node, s.name, s.reason, o->dry_run};
    auto client = up::ForestIncus(k->loaded->topology);
    api::HttpForestdClient forestd;
    auto revoked = up::RevokeInHelper(client, forestd, k->loaded->topology.helper.name,
                                      k->loaded->plan.helper_address.ToString(), request);
    if (!revoked.ok()) return ctx.Fail(revoked.error());
    const Json& j = *revoked;
    if (o->json) {
      ctx.out << j.dump(2) << "\n";
      return;
    }
    for (const auto& e : j["revoked"]) ctx.out << (o->dry_run ? "would revoke " : "revoked ") << RevocationLine(e) << "\n";
    if (!o->dry_run) {
      ctx.out << "the CRL " << j["crl"].get<std::string>() << " lists " << j["crl_entries"].get<size_t>()
              << " revoked certificates; check a leaf with: openssl verify -crl_check -CAfile <(curl -s http://["
              << k->loaded->plan.helper_address.ToString() << "]:8053/v1/crl-root) -CRLfile <(curl -s "
              << j["crl"].get<std::string>() << ") leaf.pem\n";
    }
  });
}

}  // namespace

void AddTrustCommands(CLI::App& app, Context& ctx) {
  AddCaCommand(app, ctx);
  AddCertCommand(app, ctx);
  AddHelperRevokeCommand(app, ctx);
}

}  // namespace forest::cli

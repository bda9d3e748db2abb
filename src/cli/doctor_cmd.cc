// forest doctor: what this host lacks for `forest up`, and how to fix it.
#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "cli/command.h"
#include "image/image.h"
#include "incus/api.h"
#include "trust/caroot.h"
#include "up/converge.h"

namespace forest::cli {

namespace {

struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
  std::string fix;
};

std::vector<Check> RunChecks() {
  std::vector<Check> out;
  namespace fs = std::filesystem;
  std::error_code ec;

  bool installed = fs::exists("/usr/libexec/incus/incusd", ec) || OnPath("incusd");
  out.push_back({"incus installed", installed, installed ? "incusd found" : "incusd not found",
                 "scripts/setup (apt-get install -t bookworm-backports incus-base incus-client)"});
  auto client = incus::Client::Local();
  auto server = client.Get("/1.0");
  bool running = server.ok();
  out.push_back({"incusd answers", running,
                 running ? "API " + server->value("api_version", "") + ", Incus " +
                               (*server)["environment"].value("server_version", "")
                         : server.error().message,
                 "scripts/start-incus (starts incusd without systemd)"});
  if (running) {
    auto pool = incus::StoragePoolExists(client, "default");
    bool have = pool.ok() && *pool;
    out.push_back({"storage pool 'default'", true,
                   have ? "present" : "missing: `forest up` creates a dir pool named default", ""});
  }

  std::string subuid = ReadFile("/etc/subuid").ok() ? *ReadFile("/etc/subuid") : "";
  bool range = subuid.find("root:") != std::string::npos;
  out.push_back({"subordinate ids for root", range,
                 range ? "/etc/subuid has a root range" : "/etc/subuid has no root range",
                 "add 'root:1000000:1000000000' to /etc/subuid and /etc/subgid, restart incusd"});

  std::string mounts = ReadFile("/proc/self/mounts").ok() ? *ReadFile("/proc/self/mounts") : "";
  bool v1_split = mounts.find("/sys/fs/cgroup/cpuacct cgroup") != std::string::npos &&
                  mounts.find("/sys/fs/cgroup/cpu cgroup") != std::string::npos;
  out.push_back({"cgroup layout", true,
                 v1_split ? "cgroup v1 with cpu and cpuacct mounted apart: nodes apply the "
                            "cgroup fix-up themselves (forest node-up)"
                          : "no fix-up needed",
                 ""});

  std::string userns = ReadFile("/proc/sys/user/max_user_namespaces").ok()
                           ? *ReadFile("/proc/sys/user/max_user_namespaces")
                           : "";
  bool nesting = !userns.empty() && std::atol(userns.c_str()) > 0;
  out.push_back({"user namespaces (unprivileged nesting)", nesting,
                 nesting ? "max_user_namespaces " + userns.substr(0, userns.find('\n'))
                         : "user namespaces are disabled",
                 "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)"});

  bool tun = fs::exists("/dev/net/tun", ec);
  out.push_back({"/dev/net/tun", tun, tun ? "present (TAYGA and CLAT in nodes)" : "missing",
                 "modprobe tun"});
  bool kvm = fs::exists("/dev/kvm", ec);
  out.push_back({"/dev/kvm (VM nodes only)", true,
                 kvm ? "present" : "absent: container nodes work; `kind: vm` nodes cannot start here",
                 ""});
  std::string fwd = ReadFile("/proc/sys/net/ipv6/conf/all/forwarding").ok()
                        ? *ReadFile("/proc/sys/net/ipv6/conf/all/forwarding")
                        : "";
  out.push_back({"IPv6 forwarding", true,
                 fwd.rfind("1", 0) == 0 ? "on" : "off (Incus turns it on for routed NICs)", ""});
  for (const char* tool : {"nft", "debootstrap", "ssh", "ip"}) {
    bool have = OnPath(tool);
    out.push_back({std::string("tool ") + tool, have, have ? "found" : "not on PATH", "scripts/setup"});
  }
  // forest shell opens the tool through the incus client (a terminal, stdin).
  bool incus_client = OnPath("incus");
  out.push_back({"tool incus (forest shell)", incus_client, incus_client ? "found" : "not on PATH",
                 "scripts/setup (apt-get install -t bookworm-backports incus-client)"});
  // LXCFS: /proc in jails and nodes reflects their limits only when it was
  // mounted before incusd started (Incus looks for it once, at start).
  // A mount whose daemon died stays and fails every read.
  bool lxcfs = mounts.find(" /var/lib/lxcfs fuse.lxcfs ") != std::string::npos;
  bool lxcfs_answers = lxcfs && std::ifstream("/var/lib/lxcfs/proc/uptime").peek() != EOF;
  out.push_back({"LXCFS (free/top inside show the limits)", true,
                 lxcfs_answers ? "mounted on /var/lib/lxcfs"
                 : lxcfs ? "mounted on /var/lib/lxcfs but its daemon is gone (reads fail): scripts/start-incus "
                           "unmounts and restarts it before incusd starts (a running incusd needs a restart to use it)"
                       : "not mounted: `free` in a jail shows the host's memory; scripts/setup installs lxcfs and "
                         "scripts/start-incus mounts it before incusd starts (a running incusd needs a restart to use it)",
                 ""});
  // The trust anchor: mkcert's root, which `forest up` stages into the helper.
  std::string caroot = trust::DefaultCaroot();
  auto root = trust::LoadOrCreateRoot(caroot, false);
  bool no_root = !root.ok() && !fs::exists(caroot + "/" + trust::kRootCertFile, ec) &&
                 !fs::exists(caroot + "/" + trust::kRootKeyFile, ec);
  std::string root_detail;
  if (root.ok()) {
    auto info = trust::InspectCert(root->files.cert_pem);
    root_detail = caroot + ": " + (info.ok() ? info->subject : std::string("root"));
  } else if (no_root) {
    root_detail = "no root in " + caroot + " yet: `forest up` makes an mkcert-compatible one there";
  } else {
    root_detail = root.error().message;
  }
  out.push_back({"mkcert root (the forest's trust anchor)", root.ok() || no_root, root_detail,
                 "restore the missing file, or move both rootCA files away for a new root "
                 "(certificates already issued will no longer verify)"});
  bool certutil = OnPath("certutil");
  out.push_back({"certutil (trust the root in browsers)", true,
                 certutil ? "found: `mkcert -install` (the real one) puts the root in the NSS db"
                          : "not found: apt-get install libnss3-tools, then mkcert -install for browsers",
                 ""});
  for (auto k : {image::Kind::kNode, image::Kind::kWorkload}) {
    bool have = fs::exists(image::CachedTarball(k), ec);
    out.push_back({image::Alias(k) + " image", true,
                   have ? "cached: " + image::CachedTarball(k)
                        : "not built yet: `forest up` builds it (about 2 minutes), or `forest image build`",
                   ""});
  }
  return out;
}

// `forest doctor NODE`: the node's own checks (its 464XLAT wiring), asked
// through the hierarchy, and its role ("edge", "clat" or "none").
struct NodeReport {
  std::string role;
  std::vector<Check> checks;
};

Result<NodeReport> NodeChecks(const std::string& node) {
  std::vector<Known> forests;
  FOREST_ASSIGN_OR_RETURN(Found found, Locate(node, forests));
  if (!found.node) return MakeError(node + " is a workload; doctor checks nodes (and this host without NODE)");
  auto client = HostClient(found.forest->loaded->topology);
  std::string text, err;
  FOREST_ASSIGN_OR_RETURN(int rc, up::ExecPath(client, found.path, {up::kBinaryPath, "xlat", "status", "--json"},
                                               [&](int fd, std::string_view b) { (fd == 2 ? err : text).append(b); }));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("checks")) {
    return MakeError(found.node->canonical_name + ": `forest xlat status` failed (exit " + std::to_string(rc) +
                     "): " + err + text);
  }
  NodeReport out;
  out.role = j.value("role", "none");
  out.checks.push_back({"464XLAT role", true,
                        out.role == "edge"   ? "edge: DNS64 + NAT64 to the IPv4 egress"
                        : out.role == "clat" ? "clat: CLAT sidecar in netns clatns"
                                             : "none: a root without the edge",
                        ""});
  for (const auto& c : j["checks"]) {
    out.checks.push_back({c.value("check", ""), c.value("ok", false), c.value("ok", false) ? "present" : "missing",
                          c.value("fix", "")});
  }
  return out;
}

}  // namespace

void AddDoctorCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("doctor", "Explain what this host (or NODE) lacks and how to fix it");
  auto json = std::make_shared<bool>(false);
  auto node = std::make_shared<std::string>();
  cmd->add_option("NODE", *node, "check this node of a forest brought up here (its 464XLAT wiring) instead of the host");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([json, node, &ctx] {
    std::vector<Check> checks;
    std::string role;
    if (node->empty()) {
      checks = RunChecks();
    } else {
      auto r = NodeChecks(*node);
      if (!r.ok()) return ctx.Fail(r.error());
      role = r->role;
      checks = std::move(r->checks);
    }
    int bad = 0;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks) {
      if (!c.ok) ++bad;
      out.push_back({{"check", c.name}, {"ok", c.ok}, {"detail", c.detail}, {"fix", c.ok ? "" : c.fix}});
    }
    if (*json) {
      if (!node->empty()) out = {{"node", *node}, {"checks", out}, {"role", role}};
      ctx.out << out.dump(2) << "\n";
    } else {
      for (const auto& c : checks) {
        ctx.out << (c.ok ? "ok    " : "FAIL  ") << c.name << ": " << c.detail << "\n";
        if (!c.ok && !c.fix.empty()) ctx.out << "      fix: " << c.fix << "\n";
      }
      std::string what = node->empty() ? "this host can run `forest up`" : *node + " is healthy";
      ctx.out << (bad == 0 ? what + "\n" : std::to_string(bad) + " problem(s) to fix\n");
    }
    if (bad) ctx.exit_code = 1;
  });
}

}  // namespace forest::cli

#include "doctor/checks.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace forest::doctor {

namespace {

using Json = nlohmann::json;

bool On(const HostFacts& f, const std::string& tool) { return f.on_path.count(tool) > 0; }

std::string RootFinding(const HostFacts& f, bool no_root) {
  if (f.root_loads) return f.caroot + ": " + f.root_subject.value_or("root");
  if (no_root) return "no root in " + f.caroot + " yet: `forest up` makes an mkcert-compatible one there";
  return f.root_error;
}

std::string StringOr(const Json& j, const char* key, std::string fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string PoolDetail(const std::string& driver) {
  if (driver != "dir") return driver + " (copy-on-write: a container is a snapshot of its image)";
  return "dir (no copy-on-write): every container unpacks its image in full, about 20 s per launch here; "
         "for btrfs, name a btrfs pool in host.storage_pool (`incus storage create forest btrfs`), or "
         "`forest down` and `forest up` again when forest made this one";
}

}  // namespace

const std::vector<std::string>& Tools() {
  static const std::vector<std::string> tools = {"nft", "debootstrap", "ssh", "ip", "incus", "certutil"};
  return tools;
}

bool LxcfsMounted(std::string_view mounts) {
  return mounts.find(" /var/lib/lxcfs fuse.lxcfs ") != std::string::npos;
}

std::vector<Finding> HostFindings(const HostFacts& f) {
  std::vector<Finding> out;
  out.push_back({"incus installed", f.incusd_found, f.incusd_found ? "incusd found" : "incusd not found",
                 "scripts/setup (apt-get install -t bookworm-backports incus-base incus-client)"});
  out.push_back({"incusd answers", f.incusd_answers,
                 f.incusd_answers ? "API " + f.api_version + ", Incus " + f.server_version : f.incusd_error,
                 "scripts/start-incus (starts incusd without systemd)"});
  if (f.incusd_answers) {
    out.push_back({"storage pool 'default'", true,
                   f.default_pool
                       ? PoolDetail(f.pool_driver)
                       : "missing: `forest up` makes it, btrfs on a sparse loop file (copy-on-write)",
                   ""});
  }
  bool btrfs = f.kernel_btrfs && f.btrfs_progs;
  out.push_back(
      {"btrfs (copy-on-write pools)", btrfs,
       btrfs ? "the kernel has btrfs and btrfs-progs is installed"
             : std::string(f.kernel_btrfs ? "btrfs-progs is not installed"
                                          : "the kernel has no btrfs (/proc/filesystems)") +
                   ": `forest up` falls back to a dir pool, where every container unpacks its image "
                   "in full",
       f.kernel_btrfs ? "apt-get install btrfs-progs, then restart incusd (scripts/start-incus)"
                      : "load the btrfs module (modprobe btrfs), or set host.storage.driver: dir in "
                        "the topology to say dir is meant"});

  bool range = f.subuid.find("root:") != std::string::npos;
  out.push_back({"subordinate ids for root", range,
                 range ? "/etc/subuid has a root range" : "/etc/subuid has no root range",
                 "add 'root:1000000:1000000000' to /etc/subuid and /etc/subgid, restart incusd"});

  bool v1_split = f.mounts.find("/sys/fs/cgroup/cpuacct cgroup") != std::string::npos &&
                  f.mounts.find("/sys/fs/cgroup/cpu cgroup") != std::string::npos;
  out.push_back({"cgroup layout", true,
                 v1_split ? "cgroup v1 with cpu and cpuacct mounted apart: nodes apply the "
                            "cgroup fix-up themselves (forest node-up)"
                          : "no fix-up needed",
                 ""});

  const std::string& userns = f.max_user_namespaces;
  bool nesting = !userns.empty() && std::atol(userns.c_str()) > 0;
  out.push_back({"user namespaces (unprivileged nesting)", nesting,
                 nesting ? "max_user_namespaces " + userns.substr(0, userns.find('\n'))
                         : "user namespaces are disabled",
                 "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)"});

  // Every node and jail runs systemd, whose inotify instances all count
  // against the host user their ids map to (the 13th of 20 jails never
  // finished booting at the default 128).
  long inotify = std::atol(f.inotify_instances.c_str());
  bool many = inotify >= 1024;
  out.push_back({"inotify instances (many containers)", many,
                 "fs.inotify.max_user_instances " + std::to_string(inotify) +
                     (many ? "" : ": about a dozen nodes or jails can boot before systemd runs out"),
                 "sysctl -w fs.inotify.max_user_instances=1048576 (scripts/setup also keeps it in "
                 "/etc/sysctl.d/60-forest.conf)"});

  out.push_back({"/dev/net/tun", f.dev_net_tun,
                 f.dev_net_tun ? "present (TAYGA and CLAT in nodes)" : "missing", "modprobe tun"});
  out.push_back({"/dev/kvm (VM nodes only)", true,
                 f.dev_kvm ? "present" : "absent: container nodes work; `kind: vm` nodes cannot start here",
                 ""});
  out.push_back({"IPv6 forwarding", true,
                 f.ipv6_forwarding.rfind("1", 0) == 0 ? "on" : "off (Incus turns it on for routed NICs)",
                 ""});
  for (const char* tool : {"nft", "debootstrap", "ssh", "ip"}) {
    bool have = On(f, tool);
    out.push_back({std::string("tool ") + tool, have, have ? "found" : "not on PATH", "scripts/setup"});
  }
  // forest shell opens the tool through the incus client (a terminal, stdin).
  bool incus_client = On(f, "incus");
  out.push_back({"tool incus (forest shell)", incus_client, incus_client ? "found" : "not on PATH",
                 "scripts/setup (apt-get install -t bookworm-backports incus-client)"});
  // LXCFS: /proc in jails and nodes reflects their limits only when it was
  // mounted before incusd started (Incus looks for it once, at start).
  // A mount whose daemon died stays and fails every read.
  bool lxcfs = LxcfsMounted(f.mounts);
  bool lxcfs_answers = lxcfs && f.lxcfs_reads;
  out.push_back(
      {"LXCFS (free/top inside show the limits)", true,
       lxcfs_answers ? "mounted on /var/lib/lxcfs"
       : lxcfs       ? "mounted on /var/lib/lxcfs but its daemon is gone (reads fail): scripts/start-incus "
                       "unmounts and restarts it before incusd starts (a running incusd needs a restart to use it)"
               : "not mounted: `free` in a jail shows the host's memory; scripts/setup installs lxcfs and "
                 "scripts/start-incus mounts it before incusd starts (a running incusd needs a restart to "
                 "use it)",
       ""});
  // The trust anchor: mkcert's root, which `forest up` stages into the helper.
  bool no_root = !f.root_loads && !f.root_file_present;
  out.push_back({"mkcert root (the forest's trust anchor)", f.root_loads || no_root, RootFinding(f, no_root),
                 "restore the missing file, or move both rootCA files away for a new root "
                 "(certificates already issued will no longer verify)"});
  bool certutil = On(f, "certutil");
  out.push_back({"certutil (trust the root in browsers)", true,
                 certutil ? "found: `mkcert -install` (the real one) puts the root in the NSS db"
                          : "not found: apt-get install libnss3-tools, then mkcert -install for browsers",
                 ""});
  for (const auto& image : f.images) {
    out.push_back({image.alias + " image", true,
                   image.cached
                       ? "cached: " + image.tarball
                       : "not built yet: `forest up` builds it (about 2 minutes), or `forest image build`",
                   ""});
  }
  return out;
}

Finding NodeStorageFinding(const std::string& pool, int exit_code, const std::string& out) {
  Finding f{"storage pool '" + pool + "'", false, "", ""};
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (exit_code != 0 || !j.is_object() || !j["driver"].is_string()) {
    f.detail = "the node's Incus does not show it (exit " + std::to_string(exit_code) + ")";
    f.fix = "run `forest up` again: it makes the node's pool";
    return f;
  }
  f.ok = true;
  f.detail = PoolDetail(j["driver"].get<std::string>());
  if (j["driver"] == "dir") {
    f.detail += "; a node's pool is btrfs only where its parent's pool is";
  }
  return f;
}

Result<NodeReport> NodeFindings(const std::string& canonical, int exit_code, const std::string& out,
                                const std::string& err) {
  Json j = Json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("checks") || !j["checks"].is_array()) {
    return MakeError(canonical + ": `forest xlat status` failed (exit " + std::to_string(exit_code) +
                     "): " + err + out);
  }
  NodeReport r;
  r.role = StringOr(j, "role", "none");
  r.findings.push_back({"464XLAT role", true,
                        r.role == "edge"   ? "edge: DNS64 + NAT64 to the IPv4 egress"
                        : r.role == "clat" ? "clat: CLAT sidecar in netns clatns"
                                           : "none: a root without the edge",
                        ""});
  for (const auto& c : j["checks"]) {
    if (!c.is_object()) continue;
    auto ok = c.find("ok");
    bool good = ok != c.end() && ok->is_boolean() && ok->get<bool>();
    r.findings.push_back(
        {StringOr(c, "check", ""), good, good ? "present" : "missing", StringOr(c, "fix", "")});
  }
  return r;
}

}  // namespace forest::doctor

#include "doctor/checks.h"

#include <gtest/gtest.h>

namespace forest::doctor {
namespace {

// A host with everything forest wants.
HostFacts Good() {
  HostFacts f;
  f.incusd_found = true;
  f.incusd_answers = true;
  f.api_version = "1.0";
  f.server_version = "6.0.4";
  f.default_pool = true;
  f.pool_driver = "btrfs";
  f.kernel_btrfs = true;
  f.btrfs_progs = true;
  f.subuid = "root:1000000:1000000000\n";
  f.mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\nlxcfs /var/lib/lxcfs fuse.lxcfs rw 0 0\n";
  f.max_user_namespaces = "15000\n";
  f.inotify_instances = "1048576\n";
  f.dev_net_tun = true;
  f.dev_kvm = true;
  f.ipv6_forwarding = "1\n";
  f.on_path = {Tools().begin(), Tools().end()};
  f.lxcfs_reads = true;
  f.caroot = "/home/u/.local/share/mkcert";
  f.root_loads = true;
  f.root_subject = "O=mkcert development CA, CN=mkcert u@h";
  f.root_file_present = true;
  f.images = {{"forest-node", "/var/cache/forest/node.tar.gz", true},
              {"forest-workload", "/var/cache/forest/workload.tar.gz", false}};
  return f;
}

const Finding* Find(const std::vector<Finding>& all, const std::string& check) {
  for (const auto& f : all) {
    if (f.check == check) return &f;
  }
  return nullptr;
}

TEST(HostFindings, AGoodHostPassesEveryCheckInOrder) {
  auto all = HostFindings(Good());
  std::vector<std::string> order;
  for (const auto& f : all) {
    EXPECT_TRUE(f.ok) << f.check << ": " << f.detail;
    order.push_back(f.check);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"incus installed",
                                             "incusd answers",
                                             "storage pool 'default'",
                                             "btrfs (copy-on-write pools)",
                                             "subordinate ids for root",
                                             "cgroup layout",
                                             "user namespaces (unprivileged nesting)",
                                             "inotify instances (many containers)",
                                             "/dev/net/tun",
                                             "/dev/kvm (VM nodes only)",
                                             "IPv6 forwarding",
                                             "tool nft",
                                             "tool debootstrap",
                                             "tool ssh",
                                             "tool ip",
                                             "tool incus (forest shell)",
                                             "LXCFS (free/top inside show the limits)",
                                             "mkcert root (the forest's trust anchor)",
                                             "certutil (trust the root in browsers)",
                                             "forest-node image",
                                             "forest-workload image"}));
  EXPECT_EQ(Find(all, "incusd answers")->detail, "API 1.0, Incus 6.0.4");
  EXPECT_EQ(Find(all, "user namespaces (unprivileged nesting)")->detail, "max_user_namespaces 15000");
  EXPECT_EQ(Find(all, "mkcert root (the forest's trust anchor)")->detail,
            "/home/u/.local/share/mkcert: O=mkcert development CA, CN=mkcert u@h");
  EXPECT_EQ(Find(all, "LXCFS (free/top inside show the limits)")->detail, "mounted on /var/lib/lxcfs");
  EXPECT_EQ(Find(all, "forest-node image")->detail, "cached: /var/cache/forest/node.tar.gz");
  EXPECT_EQ(Find(all, "forest-workload image")->detail,
            "not built yet: `forest up` builds it (about 2 minutes), or `forest image build`");
  EXPECT_EQ(Find(all, "cgroup layout")->detail, "no fix-up needed");
  EXPECT_EQ(Find(all, "storage pool 'default'")->detail,
            "btrfs (copy-on-write: a container is a snapshot of its image)");
}

TEST(HostFindings, StorageSaysWhatDirCostsAndHowToGetBtrfs) {
  HostFacts f = Good();
  f.pool_driver = "dir";
  auto pool = *Find(HostFindings(f), "storage pool 'default'");
  EXPECT_TRUE(pool.ok);  // slower, not broken
  EXPECT_EQ(pool.detail.rfind("dir (no copy-on-write): every container unpacks its image in full", 0), 0u);
  EXPECT_NE(pool.detail.find("incus storage create forest btrfs"), std::string::npos);
  f.btrfs_progs = false;
  auto tools = *Find(HostFindings(f), "btrfs (copy-on-write pools)");
  EXPECT_FALSE(tools.ok);
  EXPECT_EQ(tools.detail.rfind("btrfs-progs is not installed: `forest up` falls back to a dir pool", 0), 0u);
  EXPECT_EQ(tools.fix, "apt-get install btrfs-progs, then restart incusd (scripts/start-incus)");
  f.kernel_btrfs = false;
  auto kernel = *Find(HostFindings(f), "btrfs (copy-on-write pools)");
  EXPECT_EQ(kernel.detail.rfind("the kernel has no btrfs (/proc/filesystems)", 0), 0u);
  EXPECT_NE(kernel.fix.find("host.storage.driver: dir"), std::string::npos);
}

TEST(HostFindings, FewInotifyInstancesFailWithTheSysctl) {
  HostFacts f = Good();
  EXPECT_EQ(Find(HostFindings(f), "inotify instances (many containers)")->detail,
            "fs.inotify.max_user_instances 1048576");
  f.inotify_instances = "128\n";
  auto few = *Find(HostFindings(f), "inotify instances (many containers)");
  EXPECT_FALSE(few.ok);
  EXPECT_EQ(
      few.detail,
      "fs.inotify.max_user_instances 128: about a dozen nodes or jails can boot before systemd runs out");
  EXPECT_EQ(few.fix.rfind("sysctl -w fs.inotify.max_user_instances=1048576", 0), 0u);
}

TEST(NodeStorageFinding, NamesTheNodesDriver) {
  auto b = NodeStorageFinding("default", 0, R"({"name":"default","driver":"btrfs"})");
  EXPECT_EQ(b, (Finding{"storage pool 'default'", true,
                        "btrfs (copy-on-write: a container is a snapshot of its image)", ""}));
  auto d = NodeStorageFinding("default", 0, R"({"driver":"dir"})");
  EXPECT_TRUE(d.ok);
  EXPECT_NE(d.detail.find("a node's pool is btrfs only where its parent's pool is"), std::string::npos);
  auto missing = NodeStorageFinding("default", 1, "Error: Storage pool not found\n");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.detail, "the node's Incus does not show it (exit 1)");
  EXPECT_FALSE(NodeStorageFinding("default", 0, "[]").ok);
}

TEST(HostFindings, EachLackSaysHowToFixIt) {
  HostFacts f = Good();
  f.incusd_found = false;
  f.incusd_answers = false;
  f.incusd_error = "connect /var/lib/incus/unix.socket: No such file or directory";
  f.subuid = "user:100000:65536\n";
  f.max_user_namespaces = "0\n";
  f.dev_net_tun = false;
  f.on_path.erase("debootstrap");
  f.on_path.erase("incus");
  auto all = HostFindings(f);
  EXPECT_EQ(Find(all, "storage pool 'default'"), nullptr);  // not asked without incusd
  auto installed = *Find(all, "incus installed");
  EXPECT_EQ(installed,
            (Finding{"incus installed", false, "incusd not found",
                     "scripts/setup (apt-get install -t bookworm-backports incus-base incus-client)"}));
  auto answers = *Find(all, "incusd answers");
  EXPECT_FALSE(answers.ok);
  EXPECT_EQ(answers.detail, f.incusd_error);
  EXPECT_EQ(answers.fix, "scripts/start-incus (starts incusd without systemd)");
  auto ids = *Find(all, "subordinate ids for root");
  EXPECT_EQ(ids.detail, "/etc/subuid has no root range");
  EXPECT_EQ(ids.fix, "add 'root:1000000:1000000000' to /etc/subuid and /etc/subgid, restart incusd");
  EXPECT_EQ(Find(all, "user namespaces (unprivileged nesting)")->detail, "user namespaces are disabled");
  EXPECT_EQ(*Find(all, "/dev/net/tun"), (Finding{"/dev/net/tun", false, "missing", "modprobe tun"}));
  EXPECT_EQ(*Find(all, "tool debootstrap"),
            (Finding{"tool debootstrap", false, "not on PATH", "scripts/setup"}));
  EXPECT_FALSE(Find(all, "tool incus (forest shell)")->ok);
  EXPECT_TRUE(Find(all, "tool nft")->ok);
  int failing = 0;
  for (const auto& x : all) failing += !x.ok;
  EXPECT_EQ(failing, 7);
}

TEST(HostFindings, WhatOnlyInforms) {
  HostFacts f = Good();
  f.mounts = "cgroup /sys/fs/cgroup/cpuacct cgroup rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n";
  f.dev_kvm = false;
  f.ipv6_forwarding = "0\n";
  f.default_pool = false;
  f.on_path.erase("certutil");
  auto all = HostFindings(f);
  for (const auto& x : all) EXPECT_TRUE(x.ok) << x.check;
  EXPECT_NE(Find(all, "cgroup layout")->detail.find("cgroup v1 with cpu and cpuacct mounted apart"),
            std::string::npos);
  EXPECT_EQ(Find(all, "/dev/kvm (VM nodes only)")->detail,
            "absent: container nodes work; `kind: vm` nodes cannot start here");
  EXPECT_EQ(Find(all, "IPv6 forwarding")->detail, "off (Incus turns it on for routed NICs)");
  EXPECT_EQ(Find(all, "storage pool 'default'")->detail,
            "missing: `forest up` makes it, btrfs on a sparse loop file (copy-on-write)");
  EXPECT_EQ(Find(all, "certutil (trust the root in browsers)")->detail,
            "not found: apt-get install libnss3-tools, then mkcert -install for browsers");
  EXPECT_EQ(Find(all, "LXCFS (free/top inside show the limits)")->detail.rfind("not mounted: ", 0), 0u);
  f.mounts += "lxcfs /var/lib/lxcfs fuse.lxcfs rw 0 0\n";
  f.lxcfs_reads = false;  // mounted, its daemon gone
  EXPECT_EQ(Find(HostFindings(f), "LXCFS (free/top inside show the limits)")
                ->detail.rfind("mounted on /var/lib/lxcfs but its daemon is gone (reads fail)", 0),
            0u);
}

TEST(HostFindings, TheMkcertRoot) {
  HostFacts f = Good();
  f.root_subject.reset();
  EXPECT_EQ(Find(HostFindings(f), "mkcert root (the forest's trust anchor)")->detail,
            "/home/u/.local/share/mkcert: root");
  // None yet: `forest up` makes one.
  f.root_loads = false;
  f.root_file_present = false;
  f.root_error = "no root";
  auto none = *Find(HostFindings(f), "mkcert root (the forest's trust anchor)");
  EXPECT_TRUE(none.ok);
  EXPECT_EQ(none.detail,
            "no root in /home/u/.local/share/mkcert yet: `forest up` makes an mkcert-compatible one there");
  // Half of one: what LoadOrCreateRoot said, and how to fix it.
  f.root_file_present = true;
  f.root_error = "/home/u/.local/share/mkcert/rootCA-key.pem is missing";
  auto half = *Find(HostFindings(f), "mkcert root (the forest's trust anchor)");
  EXPECT_FALSE(half.ok);
  EXPECT_EQ(half.detail, f.root_error);
  EXPECT_EQ(half.fix,
            "restore the missing file, or move both rootCA files away for a new root (certificates already "
            "issued will no longer verify)");
}

TEST(HostFindings, LxcfsMountedReadsTheMountTable) {
  EXPECT_TRUE(LxcfsMounted("lxcfs /var/lib/lxcfs fuse.lxcfs rw,nosuid 0 0\n"));
  EXPECT_FALSE(LxcfsMounted("tmpfs /var/lib/lxcfs tmpfs rw 0 0\n"));
  EXPECT_FALSE(LxcfsMounted(""));
}

TEST(NodeFindings, TheRoleAndEachCheckOfTheNode) {
  auto r = NodeFindings("c0-2-1.c0-2.c0.incus", 1,
                        R"({"node":"c0-2-1.c0-2.c0.incus","role":"clat","ok":false,"checks":[
                              {"check":"netns clatns","ok":true,"fix":""},
                              {"check":"tayga in clatns","ok":false,"fix":"forest xlat up"}]})",
                        "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->role, "clat");
  EXPECT_EQ(r->findings,
            (std::vector<Finding>{{"464XLAT role", true, "clat: CLAT sidecar in netns clatns", ""},
                                  {"netns clatns", true, "present", ""},
                                  {"tayga in clatns", false, "missing", "forest xlat up"}}));
  EXPECT_EQ(NodeFindings("c0.incus", 0, R"({"role":"edge","checks":[]})", "")->findings[0].detail,
            "edge: DNS64 + NAT64 to the IPv4 egress");
  auto none = NodeFindings("c1.incus", 0, R"({"checks":[]})", "");
  EXPECT_EQ(none->role, "none");
  EXPECT_EQ(none->findings[0].detail, "none: a root without the edge");
}

TEST(NodeFindings, WhatIsNotAStatusSaysWhatTheNodePrinted) {
  auto r = NodeFindings("c0-2.c0.incus", 127, "", "forest: not found\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "c0-2.c0.incus: `forest xlat status` failed (exit 127): forest: not found\n");
  EXPECT_FALSE(NodeFindings("n", 0, R"({"role":"edge"})", "").ok());
  EXPECT_FALSE(NodeFindings("n", 0, R"({"checks":"all"})", "").ok());
  EXPECT_FALSE(NodeFindings("n", 0, "[1]", "").ok());
  // Odd entries do not throw: a check without a name or verdict fails.
  auto odd = NodeFindings("n", 1, R"({"role":7,"checks":[1,{"ok":"yes"}]})", "");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->role, "none");
  ASSERT_EQ(odd->findings.size(), 2u);
  EXPECT_FALSE(odd->findings[1].ok);
}

}  // namespace
}  // namespace forest::doctor

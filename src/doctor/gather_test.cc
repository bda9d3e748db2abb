// The gatherer on a host laid out below a directory, with a scripted PATH
// and an Incus answering from memory (incus/fake_transport.h; the real
// transport has its own test beside a real incusd, incus/client_test.cc).
#include "doctor/gather.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/temp_dir.h"
#include "image/image.h"
#include "incus/fake_transport.h"

namespace forest::doctor {
namespace {

namespace fs = std::filesystem;

class GatherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    probe_.root = root_ + "/host";
    probe_.caroot = root_ + "/caroot";
    probe_.on_path = [this](const std::string& tool) { return path_.count(tool) > 0; };
  }
  void Put(const std::string& path, const std::string& text) {
    std::string file = probe_.root + path;
    ASSERT_TRUE(MakeDirs(fs::path(file).parent_path().string()).ok());
    ASSERT_TRUE(WriteFileAtomic(file, text).ok());
  }
  incus::Client Incus() { return incus::Client(transport_); }

  TempDir tmp_{"forest-doctor"};
  std::string root_;
  HostProbe probe_;
  std::set<std::string> path_;
  std::shared_ptr<incus::FakeTransport> transport_ = std::make_shared<incus::FakeTransport>();
};

TEST_F(GatherTest, ReadsEachFactWhereTheHostKeepsIt) {
  Put("/usr/libexec/incus/incusd", "");
  Put("/etc/subuid", "root:1000000:1000000000\n");
  Put("/proc/self/mounts", "lxcfs /var/lib/lxcfs fuse.lxcfs rw 0 0\n");
  Put("/var/lib/lxcfs/proc/uptime", "12.0 3.0\n");
  Put("/proc/sys/user/max_user_namespaces", "15000\n");
  Put("/proc/sys/fs/inotify/max_user_instances", "1048576\n");
  Put("/proc/sys/net/ipv6/conf/all/forwarding", "1\n");
  Put("/dev/net/tun", "");
  Put(image::CachedTarball(image::Kind::kWorkload), "tar");
  path_ = {"nft", "ssh", "certutil", "btrfs"};
  transport_->On(
      "GET", "/1.0",
      incus::FakeTransport::Sync({{"api_version", "1.0"}, {"environment", {{"server_version", "6.0.4"}}}}));
  transport_->On("GET", "/1.0/storage-pools/default",
                 incus::FakeTransport::Sync({{"name", "default"}, {"driver", "btrfs"}}));
  Put("/proc/filesystems", "nodev\tsysfs\n\text4\n\tbtrfs\n");
  auto client = Incus();
  HostFacts f = GatherHostFacts(client, probe_);
  EXPECT_TRUE(f.incusd_found);
  EXPECT_TRUE(f.incusd_answers);
  EXPECT_EQ(f.api_version, "1.0");
  EXPECT_EQ(f.server_version, "6.0.4");
  EXPECT_TRUE(f.default_pool);
  EXPECT_EQ(f.pool_driver, "btrfs");
  EXPECT_TRUE(f.kernel_btrfs);
  EXPECT_TRUE(f.btrfs_progs);
  EXPECT_EQ(f.subuid, "root:1000000:1000000000\n");
  EXPECT_EQ(f.max_user_namespaces, "15000\n");
  EXPECT_EQ(f.inotify_instances, "1048576\n");
  EXPECT_EQ(f.ipv6_forwarding, "1\n");
  EXPECT_TRUE(f.dev_net_tun);
  EXPECT_FALSE(f.dev_kvm);
  EXPECT_TRUE(f.lxcfs_reads);
  EXPECT_EQ(f.on_path, (std::set<std::string>{"nft", "ssh", "certutil"}));  // btrfs is no tool check
  EXPECT_EQ(f.caroot, root_ + "/caroot");
  EXPECT_FALSE(f.root_loads);
  EXPECT_FALSE(f.root_file_present);
  ASSERT_EQ(f.images.size(), 2u);
  EXPECT_EQ(f.images[0], (HostFacts::Image{image::Alias(image::Kind::kNode),
                                           image::CachedTarball(image::Kind::kNode), false}));
  EXPECT_EQ(f.images[1], (HostFacts::Image{image::Alias(image::Kind::kWorkload),
                                           image::CachedTarball(image::Kind::kWorkload), true}));
  // Every check passes but the three missing tools.
  int failing = 0;
  for (const auto& x : HostFindings(f)) failing += !x.ok;
  EXPECT_EQ(failing, 3);  // debootstrap, ip, incus
}

TEST_F(GatherTest, WhatCannotBeReadIsAFactToo) {
  Put("/proc/self/mounts", "lxcfs /var/lib/lxcfs fuse.lxcfs rw 0 0\n");  // mounted, nothing answers
  ASSERT_TRUE(MakeDirs(probe_.caroot).ok());
  ASSERT_TRUE(WriteFileAtomic(probe_.caroot + "/rootCA.pem", "not a certificate\n").ok());
  transport_->On("GET", "/1.0", incus::FakeTransport::Failure(500, "the daemon is starting"));
  auto client = Incus();
  HostFacts f = GatherHostFacts(client, probe_);
  EXPECT_FALSE(f.incusd_found);
  EXPECT_FALSE(f.incusd_answers);
  EXPECT_NE(f.incusd_error.find("the daemon is starting"), std::string::npos) << f.incusd_error;
  EXPECT_TRUE(transport_->CallsTo("GET", "/1.0/storage-pools/default").empty());  // not asked
  EXPECT_EQ(f.subuid, "");
  EXPECT_FALSE(f.lxcfs_reads);
  EXPECT_FALSE(f.root_loads);
  EXPECT_TRUE(f.root_file_present);
  EXPECT_FALSE(f.root_error.empty());
  auto root = HostFindings(f);
  bool found = false;
  for (const auto& x : root) {
    if (x.check != "mkcert root (the forest's trust anchor)") continue;
    found = true;
    EXPECT_FALSE(x.ok);
    EXPECT_EQ(x.detail, f.root_error);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace forest::doctor

#include "up/host_dns.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/fake_process.h"
#include "base/files.h"
#include "base/temp_dir.h"

namespace forest::up {
namespace {

namespace fs = std::filesystem;

class HostDnsTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = tmp_.path(); }
  TempDir tmp_{"forest-host-dns"};
  std::string root_;
  FakeProcessRunner runner_;
};

TEST_F(HostDnsTest, TheDropInBelowARootAndNoReload) {
  HostDnsTarget t = HostDnsTargetFor(root_);
  EXPECT_EQ(t.dropin_dir, root_ + "/etc/systemd/resolved.conf.d");
  EXPECT_FALSE(t.resolved_runs);  // a root is never this host's resolver
  auto c = InstallHostDns(t, "t", "fd00:f00d::53", runner_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->file, root_ + "/etc/systemd/resolved.conf.d/forest-t.conf");
  EXPECT_EQ(ReadFile(c->file).value(),
            "# forest 't': names under .incus come from its helper.\n"
            "# Written by `forest host-dns install`; `forest host-dns remove` deletes it.\n"
            "[Resolve]\nDNS=fd00:f00d::53\nDomains=~incus\n");
  EXPECT_TRUE(runner_.calls().empty());
  HostDnsChange gone = RemoveHostDns(t, "t", runner_);
  EXPECT_TRUE(gone.changed);
  EXPECT_FALSE(fs::exists(c->file));
  EXPECT_FALSE(RemoveHostDns(t, "t", runner_).changed);  // nothing left to remove
  EXPECT_TRUE(runner_.calls().empty());
  EXPECT_EQ(HostDnsTargetFor("").dropin_dir, "/etc/systemd/resolved.conf.d");
}

TEST_F(HostDnsTest, ReloadsSystemdResolvedWhenItRuns) {
  HostDnsTarget t{root_ + "/d", true};
  auto c = InstallHostDns(t, "t", "fd00:f00d::53", runner_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->reloaded);
  ASSERT_EQ(runner_.Lines(), std::vector<std::string>{"systemctl try-reload-or-restart systemd-resolved"});
  EXPECT_EQ(runner_.calls()[0].out, Stdio::kNull);
  EXPECT_EQ(runner_.calls()[0].err, Stdio::kNull);
  runner_.On({"systemctl"}, 1);
  EXPECT_FALSE(InstallHostDns(t, "t", "fd00:f00d::53", runner_)->reloaded);
  runner_.FailToStart({"systemctl"});
  EXPECT_FALSE(InstallHostDns(t, "t", "fd00:f00d::53", runner_)->reloaded);
  EXPECT_FALSE(RemoveHostDns(t, "t", runner_).reloaded);
  EXPECT_EQ(runner_.calls().size(), 4u);  // removing what is there reloads too
  EXPECT_FALSE(RemoveHostDns(t, "t", runner_).changed);
  EXPECT_EQ(runner_.calls().size(), 4u);  // nothing removed: nothing to reload
}

}  // namespace
}  // namespace forest::up

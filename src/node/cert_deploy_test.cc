// When forestd renews a deployed certificate, and what certs.json keeps.
#include "node/cert_deploy.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace forest::node {
namespace {

constexpr int64_t kNow = 1795000000;
constexpr int64_t kDay = 86400;

CertDeployment Leaf(int64_t lifetime, int renew_before_days) {
  CertDeployment d;
  d.workload = "app";
  d.renew_before_days = renew_before_days;
  d.serial = "a1";
  d.not_before = kNow;
  d.not_after = kNow + lifetime;
  return d;
}

TEST(RenewAt, ShortLeavesAreRenewedWithAThirdOfTheirLifeLeft) {
  // A 7-day leaf (short aliases) with the default 30 days: a third of 7 days,
  // not every pass.
  EXPECT_EQ(RenewAt(Leaf(7 * kDay, 30)), kNow + 7 * kDay - 7 * kDay / 3);
  // A 90-day leaf (canonical names only): 30 days before.
  EXPECT_EQ(RenewAt(Leaf(90 * kDay, 30)), kNow + 60 * kDay);
  // Asked for less: that.
  EXPECT_EQ(RenewAt(Leaf(90 * kDay, 1)), kNow + 89 * kDay);
  // Records from before not_before was kept: renew_before_days alone.
  CertDeployment old = Leaf(825 * kDay, 30);
  old.not_before = 0;
  EXPECT_EQ(RenewAt(old), old.not_after - 30 * kDay);
}

TEST(Deployments, NotBeforeSurvivesTheFile) {
  std::string dir = std::filesystem::temp_directory_path() / ("cert_deploy_test." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  CertDeployment d = Leaf(7 * kDay, 30);
  d.names = {"app.c0-2-1.c0-2.c0.incus", "app.incus"};
  ASSERT_TRUE(SaveDeployments(dir, {d}).ok());
  auto back = ReadDeployments(dir);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].not_before, kNow);
  EXPECT_EQ(RenewAt((*back)[0]), RenewAt(d));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace forest::node

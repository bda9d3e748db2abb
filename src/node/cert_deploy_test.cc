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

TEST(Deployments, OptionalFieldsMayBeAbsent) {
  // The const operator[] FromJson used on absent keys was undefined
  // behaviour (fuzz_cert_deploy); absent fields take their defaults.
  auto r = ParseDeployments(R"({"deployments":[{"workload":"app","dir":"/tls"}]})", "certs.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].workload, "app");
  EXPECT_EQ((*r)[0].dir, "/tls");
  EXPECT_EQ((*r)[0].renew_before_days, 30);
  EXPECT_TRUE((*r)[0].services.empty());
  EXPECT_EQ((*r)[0].not_after, 0);
  auto no_dir = ParseDeployments(R"({"deployments":[{"workload":"app"}]})", "certs.json");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.error().message.find("certs.json: deployments[0]: expected"), std::string::npos);
  EXPECT_FALSE(ParseDeployments(R"({"other":[]})", "certs.json").ok());
  EXPECT_FALSE(ParseDeployments("[]", "certs.json").ok());
}

TEST(Deployments, NumbersOutOfRangeAreRefusedNotWrapped) {
  // A renew_before_days past int or negative, a time past int64: RenewAt's
  // arithmetic would overflow.
  for (const char* field : {R"("renew_before_days":4294967326)", R"("renew_before_days":-1)",
                            R"("renew_before_days":3651)", R"("not_after":18446744073709551615)",
                            R"("not_before":-9223372036854775808)"}) {
    std::string text = std::string(R"({"deployments":[{"workload":"app","dir":"/tls",)") + field + "}]}";
    EXPECT_FALSE(ParseDeployments(text, "certs.json").ok()) << text;
  }
  EXPECT_TRUE(ParseDeployments(R"({"deployments":[{"workload":"app","dir":"/tls","renew_before_days":3650}]})",
                               "certs.json")
                  .ok());
}

TEST(Deployments, TextRoundTrip) {
  CertDeployment d = Leaf(7 * kDay, 30);
  d.services = {"auth"};
  d.reload = "nginx -s reload";
  d.names = {"app.c0.incus"};
  std::string once = DeploymentsJson({d});
  auto back = ParseDeployments(once, "certs.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(DeploymentsJson(*back), once);
}

}  // namespace
}  // namespace forest::node

// <state>/certs.json: what a node records of the certificates it deployed.
#include "node/cert_record.h"

#include <gtest/gtest.h>

namespace forest::node {
namespace {

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
  for (const char* field :
       {R"("renew_before_days":4294967326)", R"("renew_before_days":-1)", R"("renew_before_days":3651)",
        R"("not_after":18446744073709551615)", R"("not_before":-9223372036854775808)"}) {
    std::string text = std::string(R"({"deployments":[{"workload":"app","dir":"/tls",)") + field + "}]}";
    EXPECT_FALSE(ParseDeployments(text, "certs.json").ok()) << text;
  }
  EXPECT_TRUE(
      ParseDeployments(R"({"deployments":[{"workload":"app","dir":"/tls","renew_before_days":3650}]})",
                       "certs.json")
          .ok());
}

TEST(Deployments, TextRoundTrip) {
  CertDeployment d;
  d.workload = "app";
  d.serial = "a1";
  d.not_before = 1795000000;
  d.not_after = 1795000000 + 7 * 86400;
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

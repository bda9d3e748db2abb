// A node's CA calls against FakeForestdClient: what is asked of the helper
// and how its answers are checked. The real wire: node/forestd_client_test.cc
// (HttpForestdClient against a real server) and tests/forest_trust_test.sh
// (the mkcert shim and deployments against a real helper).
#include "node/ca_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "trust/crl.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

using ::testing::HasSubstr;

class CaClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = trust::CreateRoot("root@test", now_ - 3600);
    ASSERT_TRUE(files.ok()) << files.error().message;
    root_pem_ = files->cert_pem;
    root_ = trust::CaRoot::Load(files->cert_pem, files->key_pem).value();
    helper_.on_root_ca = [this](const std::string&) { return Result<std::string>(root_pem_); };
  }
  int64_t now_ = std::time(nullptr);
  std::string root_pem_;
  trust::CaRoot root_;
  api::FakeForestdClient helper_;
  CaEndpoint ca_{"fd00:f00d::53", 8053, "c0-2.c0.incus"};
};

TEST_F(CaClientTest, TheRootMustBeACa) {
  auto root = FetchRoot(helper_, ca_);
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, root_pem_);
  EXPECT_EQ(helper_.calls().at(0).address, "fd00:f00d::53");
  helper_.on_root_ca = [](const std::string&) {
    return Result<std::string>(std::string("not a certificate"));
  };
  auto bad = FetchRoot(helper_, ca_);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("not a CA certificate"));
}

TEST_F(CaClientTest, ARefusalAndAFailedHopReadDifferently) {
  helper_.on_root_ca = [](const std::string&) {
    return Result<std::string>(MakeError("HTTP 503: no root staged"));
  };
  EXPECT_EQ(FetchRoot(helper_, ca_).error().message, "the helper gave no root (HTTP 503: no root staged)");
  helper_.on_root_ca = [](const std::string&) { return Result<std::string>(MakeError("connect: refused")); };
  EXPECT_EQ(FetchRoot(helper_, ca_).error().message,
            "fetching the forest root from the helper: connect: refused");
}

TEST_F(CaClientTest, SignatureAsksForEachLabelPathOnceAndKeepsTheReply) {
  api::SignRequest asked;
  helper_.on_sign = [&](const std::string&, const api::SignRequest& r) {
    asked = r;
    api::SignReply reply;
    reply.certificate = "leaf";
    reply.root = "root";
    reply.serial = "0a";
    reply.names = {"web.c0-2.c0.incus"};
    reply.withheld = {"other.incus"};
    reply.not_before = 100;
    reply.not_after = 200;
    return Result<api::SignReply>(reply);
  };
  auto s = RequestSignature(helper_, ca_, "CSR", {"web.c0-2.c0.incus", "web.c0-2.c0.incus", "c0-2.c0.incus"},
                            true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(asked.csr_pem, "CSR");
  EXPECT_TRUE(asked.client);
  EXPECT_EQ(asked.label_paths, (std::vector<std::string>{"web", ""}));
  EXPECT_EQ(s->serial, "0a");
  EXPECT_EQ(s->withheld, (std::vector<std::string>{"other.incus"}));
  EXPECT_EQ(s->not_before, 100);
  EXPECT_EQ(s->not_after, 200);
}

TEST_F(CaClientTest, ARefusedSignatureSaysWhy) {
  helper_.on_sign = [](const std::string&, const api::SignRequest&) {
    return Result<api::SignReply>(MakeError("HTTP 403: c0.incus is not under c0-2.c0.incus"));
  };
  auto s = RequestSignature(helper_, ca_, "CSR", {"c0-2.c0.incus"}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "the forest CA refused (HTTP 403: c0.incus is not under c0-2.c0.incus)");
  EXPECT_EQ(helper_.Count("sign"), 1u);
}

TEST_F(CaClientTest, RevokedSerialsComeFromACrlTheRootSigned) {
  trust::CrlSpec spec{{{"1a", now_ - 60}, {"2b", now_ - 30}}, now_ - 60, now_ + 86400, 3};
  std::string crl = trust::MakeCrl(root_, spec).value();
  helper_.on_crl = [&](const std::string&) { return Result<std::string>(crl); };
  auto serials = FetchRevokedSerials(helper_, ca_);
  ASSERT_TRUE(serials.ok()) << serials.error().message;
  EXPECT_EQ(*serials, (std::set<std::string>{"1a", "2b"}));

  auto other_files = trust::CreateRoot("root@test", now_ - 3600).value();
  auto other = trust::CaRoot::Load(other_files.cert_pem, other_files.key_pem).value();
  std::string forged = trust::MakeCrl(other, spec).value();
  helper_.on_crl = [&](const std::string&) { return Result<std::string>(forged); };
  EXPECT_FALSE(FetchRevokedSerials(helper_, ca_).ok()) << "a CRL another key signed is refused";
}

}  // namespace
}  // namespace forest::node

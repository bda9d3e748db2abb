// The CA broker with a real root, real keys and CSRs (OpenSSL), on the DESIGN
// chain c0 → c0-2 → c0-2-1.
#include "helper/ca_broker.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "trust/san_policy.h"

namespace forest::helper {
namespace {

using registration::Delegation;
using registration::Export;
using registration::ForestView;
using registration::Merge;

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }

constexpr int64_t kNow = 1795000000;  // 2026-11-18
const std::string kC021 = "c0-2-1.c0-2.c0.incus";
const char* kC021Uplink = "fd00:1100:0:1::1";
const char* kC02Uplink = "fd00:1000:0:1::1";

ForestView View() {
  Export leaf = Merge("c0-2-1", {{kC021, A("fd00:1110::1")}, {"app." + kC021, A("fd00:1110::25")}},
                      {P("fd00:1110::/28"), A(kC021Uplink), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", kC021, P("fd00:1110::/28"), A(kC021Uplink)};
  Export mid = Merge("c0-2", {{"c0-2.c0.incus", A("fd00:1100::1")}, {"peer.c0-2.c0.incus", A("fd00:1100::7")}},
                     {P("fd00:1100::/24"), A(kC02Uplink), true, "eth0"}, {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A(kC02Uplink)};
  Export root = Merge("c0", {{"c0.incus", A("fd00:1000::1")}}, {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"},
                      {{to_c02, mid}});
  return ForestView::Build({root}, {{"forest-ca.incus", A("fd00:f00d::53")}});
}

class CaBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = trust::CreateRoot("root@test", kNow - 3600);
    ASSERT_TRUE(files.ok()) << files.error().message;
    root_pem_ = files->cert_pem;
    broker_.SetRoot(trust::CaRoot::Load(files->cert_pem, files->key_pem).value());
  }
  std::string Csr(const std::vector<std::string>& names, trust::KeyKind kind = trust::KeyKind::kEcdsaP256) {
    key_pem_ = trust::GenerateKey(kind).value();
    return trust::MakeCsr(key_pem_, names).value();
  }
  std::string Body(const std::string& csr, std::vector<std::string> paths) {
    return api::SerializeSignRequest({csr, std::move(paths), false});
  }
  ForestView view_ = View();
  CaBroker broker_;
  std::string root_pem_, key_pem_;
};

TEST_F(CaBrokerTest, SignsTheFamilyForTheNodeAtTheSourceAddress) {
  auto reply = broker_.Sign(view_, kC021Uplink, Body(Csr({"auth.app.incus"}), {"auth.app"}), kNow);
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
  std::string cert = reply.body["certificate"];
  EXPECT_TRUE(trust::VerifyLeaf(cert, root_pem_, "auth.app.incus", kNow).ok());
  EXPECT_TRUE(trust::VerifyLeaf(cert, root_pem_, "auth.app." + kC021, kNow).ok());
  EXPECT_TRUE(trust::KeyMatchesCert(key_pem_, cert).value());
  auto info = trust::InspectCert(cert).value();
  EXPECT_EQ(info.serial_hex, reply.body["serial"]);
  EXPECT_EQ(info.not_after, kNow + kAliasLeafSeconds);  // short aliases: a 7-day leaf
  EXPECT_EQ(reply.body["not_before"], kNow);
  ASSERT_TRUE(reply.issued.has_value());
  EXPECT_EQ(reply.issued->caller, kC021);
  EXPECT_NE(reply.log.find("issued serial " + info.serial_hex + " to " + kC021), std::string::npos);
  // The node address identifies the node as well as its uplink.
  EXPECT_EQ(broker_.Sign(view_, "fd00:1110::1", Body(Csr({"c0-2-1.incus"}), {""}), kNow).status, 200);
}

TEST_F(CaBrokerTest, RsaKeysToo) {
  auto reply = broker_.Sign(view_, kC021Uplink, Body(Csr({"app.incus"}, trust::KeyKind::kRsa), {"app"}), kNow);
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
}

TEST_F(CaBrokerTest, UnknownCallersAreRefused) {
  std::string body = Body(Csr({"auth.app.incus"}), {"auth.app"});
  for (const char* source : {"fd00:1110::25", "fd00:f00d::99", "::1", "not-an-address"}) {
    auto reply = broker_.Sign(view_, source, body, kNow);
    EXPECT_EQ(reply.status, 403) << source;
    EXPECT_NE(std::string(reply.body["error"]).find("is not the uplink or node address"), std::string::npos);
  }
}

TEST_F(CaBrokerTest, SiblingAndHelperNamesAreRefused) {
  auto sibling = broker_.Sign(view_, kC021Uplink, Body(Csr({"peer.incus"}), {"peer"}), kNow);
  EXPECT_EQ(sibling.status, 403);
  EXPECT_NE(std::string(sibling.body["error"]).find("published for peer.c0-2.c0.incus"), std::string::npos);
  auto helper = broker_.Sign(view_, kC021Uplink, Body(Csr({"forest-ca.incus"}), {"forest-ca"}), kNow);
  EXPECT_EQ(helper.status, 403);
  EXPECT_NE(std::string(helper.body["error"]).find("reserved for the helper"), std::string::npos);
  // A CSR asking for more than its label paths give.
  auto more = broker_.Sign(view_, kC021Uplink, Body(Csr({"app.incus", "other.incus"}), {"app"}), kNow);
  EXPECT_EQ(more.status, 403);
  auto ip = broker_.Sign(view_, kC021Uplink, Body(Csr({"app.incus", "fd00:1110::25"}), {"app"}), kNow);
  EXPECT_EQ(ip.status, 403);
}

TEST_F(CaBrokerTest, ReplayedAndGarbledCsrsAreRefused) {
  std::string csr = Csr({"c0-2-1.incus"});
  ASSERT_EQ(broker_.Sign(view_, kC021Uplink, Body(csr, {""}), kNow).status, 200);
  // The same node again (a renewal with the same key) is fine ...
  EXPECT_EQ(broker_.Sign(view_, kC021Uplink, Body(csr, {""}), kNow).status, 200);
  // ... the same key from another node is not, even for that node's names.
  auto replay = broker_.Sign(view_, kC02Uplink, Body(csr, {"c0-2-1"}), kNow);
  EXPECT_EQ(replay.status, 403);
  EXPECT_NE(std::string(replay.body["error"]).find("was certified for " + kC021), std::string::npos);

  std::string garbled = csr;
  garbled[garbled.size() / 2] = garbled[garbled.size() / 2] == 'A' ? 'B' : 'A';
  auto bad = broker_.Sign(view_, kC021Uplink, Body(garbled, {""}), kNow);
  EXPECT_EQ(bad.status, 400) << bad.body.dump();
  EXPECT_EQ(broker_.Sign(view_, kC021Uplink, "{not json", kNow).status, 400);
  EXPECT_EQ(broker_.Sign(view_, kC021Uplink, R"({"csr": 5, "label_paths": []})", kNow).status, 400);
  EXPECT_EQ(broker_.Sign(view_, kC021Uplink, R"({"csr": "x"})", kNow).status, 400);
}

TEST_F(CaBrokerTest, WeakKeysAreRefused) {
  // 1024-bit RSA: OpenSSL makes it; the broker refuses it.
  EVP_PKEY* weak = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  ASSERT_NE(weak, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, weak, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(weak);
  auto csr = trust::MakeCsr(pem, {"app.incus"});
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  auto reply = broker_.Sign(view_, kC021Uplink, Body(*csr, {"app"}), kNow);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(std::string(reply.body["error"]).find("1024"), std::string::npos) << reply.body.dump();
}

TEST_F(CaBrokerTest, NoRootStaged) {
  CaBroker empty;
  auto reply = empty.Sign(view_, kC021Uplink, Body(Csr({"app.incus"}), {"app"}), kNow);
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(std::string(reply.body["error"]).find("forest ca stage"), std::string::npos);
}

TEST_F(CaBrokerTest, CanonicalOnlyLeavesLiveLongerAndEveryLeafNamesTheCrl) {
  broker_.SetCrlUrl("http://forest-ca.incus:8053/v1/crl");
  // The root c0 has no alias candidates: c0.incus is canonical only.
  auto root = broker_.Sign(view_, "fd00:f00d:0:1::1", Body(Csr({"c0.incus"}), {""}), kNow);
  ASSERT_EQ(root.status, 200) << root.body.dump();
  EXPECT_EQ(root.body["names"], nlohmann::json::array({"c0.incus"}));
  EXPECT_EQ(root.body["not_after"], kNow + kCanonicalLeafSeconds);
  // Any short alias makes it short-lived.
  auto node = broker_.Sign(view_, kC02Uplink, Body(Csr({"c0-2.c0.incus"}), {""}), kNow);
  ASSERT_EQ(node.status, 200) << node.body.dump();
  EXPECT_EQ(node.body["names"], nlohmann::json::array({"c0-2.c0.incus", "c0-2.incus"}));
  EXPECT_EQ(node.body["not_after"], kNow + kAliasLeafSeconds);
  EXPECT_EQ(LeafNotAfter(kNow, false), kNow + 90 * 86400);
  EXPECT_EQ(LeafNotAfter(kNow, true), kNow + 7 * 86400);
}

// Issue 15: c0-2-1 registers a service c0-2 (label path c0-2, alias
// candidate c0-2.incus, which is c0-2's alias), or writes it into its export
// by hand. c0-2.incus stays c0-2's and is never signed for c0-2-1.
TEST_F(CaBrokerTest, ADescendantCannotGetAnAncestorsAliasSigned) {
  Export leaf = Merge("c0-2-1",
                      {{kC021, A("fd00:1110::1")}, {"app." + kC021, A("fd00:1110::25")},
                       {"c0-2." + kC021, A("fd00:1110::25")}},
                      {P("fd00:1110::/28"), A(kC021Uplink), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", kC021, P("fd00:1110::/28"), A(kC021Uplink)};
  Export mid = Merge("c0-2", {{"c0-2.c0.incus", A("fd00:1100::1")}}, {P("fd00:1100::/24"), A(kC02Uplink), true, "eth0"},
                     {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A(kC02Uplink)};
  Export root = Merge("c0", {{"c0.incus", A("fd00:1000::1")}}, {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"},
                      {{to_c02, mid}});
  ForestView v = ForestView::Build({root}, {});
  EXPECT_EQ(v.Lookup("c0-2.incus"), std::vector<net::Ipv6Address>{A("fd00:1100::1")});
  for (const char* name : {"c0-2.incus", "c0-2.c0.incus"}) {
    auto path = trust::LabelPathForName(kC021, name).value();
    auto reply = broker_.Sign(v, kC021Uplink, Body(Csr({name}), {path}), kNow);
    EXPECT_EQ(reply.status, 403) << name;
    EXPECT_NE(std::string(reply.body["error"]).find("outside " + kC021 + "'s subtree"), std::string::npos)
        << reply.body.dump();
  }
  // The service's own names are c0-2-1's, without the shadowing alias.
  auto own = broker_.Sign(v, kC021Uplink, Body(Csr({"c0-2.c0-2-1.incus"}), {"c0-2"}), kNow);
  ASSERT_EQ(own.status, 200) << own.body.dump();
  for (const auto& n : own.body["names"]) EXPECT_NE(n, "c0-2.incus");
}

TEST_F(CaBrokerTest, AParentGetsNoCertificateForItsChildsNames) {
  for (const char* path : {"c0-2-1", "app.c0-2-1"}) {
    auto reply = broker_.Sign(view_, kC02Uplink, Body(Csr({std::string(path) + ".c0-2.c0.incus"}), {path}), kNow);
    EXPECT_EQ(reply.status, 403) << path;
  }
}

}  // namespace
}  // namespace forest::helper

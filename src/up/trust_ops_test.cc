// The host's side of forest cert issue and forest cert revoke: the argv each
// runs, and revoke's check of the helper's CRL against an in-memory Incus
// and FakeForestdClient with a real CRL. tests/forest_trust_test.sh runs
// both against a real forest.
#include "up/trust_ops.h"

#include <gtest/gtest.h>

#include <memory>

#include "incus/exec_marks.h"
#include "incus/fake_transport.h"
#include "trust/crl.h"
#include "trust/x509.h"
#include "up/converge.h"

namespace forest::up {
namespace {

using incus::FakeTransport;
using Json = nlohmann::json;
using V = std::vector<std::string>;

constexpr int64_t kNow = 1795000000;
constexpr char kHelperAddress[] = "fd00:f00d::53";

TEST(CertDeployArgv, PassesEveryFlagOnAndReloadOnlyWhenSet) {
  CertRequest r;
  r.workload = "app";
  EXPECT_EQ(CertDeployArgv(r),
            (V{"forest", "cert", "deploy", "app", "--dir", "/etc/forest/tls", "--renew-before-days", "30"}));
  r.services = {"auth", "api"};
  r.dir = "/srv/tls";
  r.reload = "systemctl reload nginx";
  r.renew_before_days = 5;
  EXPECT_EQ(CertDeployArgv(r),
            (V{"forest", "cert", "deploy", "app", "--dir", "/srv/tls", "--renew-before-days", "5",
               "--service", "auth", "--service", "api", "--reload", "systemctl reload nginx"}));
}

TEST(HelperRevokeArgv, NamesOnlyWhatIsSet) {
  EXPECT_EQ(HelperRevokeArgv({}), (V{kBinaryPath, "helper-revoke", "--json"}));
  RevokeRequest r{{"a1", "b2"}, "c0-2-1", "anything.incus", "key lost", true};
  EXPECT_EQ(HelperRevokeArgv(r),
            (V{kBinaryPath, "helper-revoke", "--json", "--serial", "a1", "--serial", "b2", "--node", "c0-2-1",
               "--name", "anything.incus", "--reason", "key lost", "--dry-run"}));
}

class RevokeInHelperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto files = trust::CreateRoot("root@test", kNow - 3600).value();
    root_ = new trust::CaRoot(trust::CaRoot::Load(files.cert_pem, files.key_pem).value());
  }
  static void TearDownTestSuite() { delete root_; }

  // helper-revoke in the helper exits `code` with this stdout and stderr.
  void HelperRevokeAnswers(int code, const std::string& out, const std::string& err = "") {
    incus_ = std::make_shared<FakeTransport>();
    incus_->On("POST", "/1.0/instances/helper/exec",
               FakeTransport::Sync({{"metadata",
                                     {{"return", code},
                                      {"output",
                                       {{"1", "/1.0/instances/helper/logs/exec.stdout"},
                                        {"2", "/1.0/instances/helper/logs/exec.stderr"}}}}}}));
    incus_->On("GET", "/1.0/instances/helper/logs/exec.stdout", incus::HttpResponse{200, out, {}});
    incus_->On("GET", "/1.0/instances/helper/logs/exec.stderr", incus::HttpResponse{200, err, {}});
  }
  // The helper's CRL lists `serials`.
  void CrlLists(const std::vector<std::string>& serials) {
    trust::CrlSpec spec{{}, kNow, kNow + 86400, 7};
    for (const auto& s : serials) spec.entries.push_back({s, kNow});
    std::string crl = trust::MakeCrl(*root_, spec).value();
    forestd_.on_crl = [crl](const std::string&) { return Result<std::string>(crl); };
    forestd_.on_root_ca = [](const std::string&) { return Result<std::string>(root_->cert_pem()); };
  }
  static std::string Revoked(const std::vector<std::string>& serials, bool dry_run = false) {
    Json list = Json::array();
    for (const auto& s : serials) {
      list.push_back({{"serial", s},
                      {"caller", "c0-2-1.c0-2.c0.incus"},
                      {"names", {"app.c0-2-1.c0-2.c0.incus", "app.incus"}},
                      {"not_after", kNow + 86400},
                      {"revoked_at", kNow},
                      {"reason", "test"}});
    }
    return Json{{"revoked", list}, {"dry_run", dry_run}}.dump(2) + "\n";
  }
  Result<Json> Run(const RevokeRequest& r) {
    incus::Client c(incus_, "forest-t");
    return RevokeInHelper(c, forestd_, "helper", kHelperAddress, r);
  }

  static trust::CaRoot* root_;
  std::shared_ptr<FakeTransport> incus_;
  api::FakeForestdClient forestd_;
};
trust::CaRoot* RevokeInHelperTest::root_ = nullptr;

TEST_F(RevokeInHelperTest, RunsHelperRevokeAndChecksTheCrlListsEverySerial) {
  HelperRevokeAnswers(0, Revoked({"a1", "b2"}));
  CrlLists({"0c", "a1", "b2"});
  auto j = Run({{"a1"}, "c0-2-1", "", "test", false});
  ASSERT_TRUE(j.ok()) << j.error().message;
  auto execs = incus_->CallsTo("POST", "/1.0/instances/helper/exec");
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(Json(incus::Unmarked(execs[0].json()["command"])),
            Json(V{kBinaryPath, "helper-revoke", "--json", "--serial", "a1", "--node", "c0-2-1", "--reason",
                   "test"}));
  EXPECT_EQ((*j)["revoked"].size(), 2u);
  EXPECT_EQ((*j)["crl"], "http://[fd00:f00d::53]:8053/v1/crl");
  EXPECT_EQ((*j)["crl_entries"], 3);
  auto calls = forestd_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].what, "crl");
  EXPECT_EQ(calls[1].what, "root-ca");
  EXPECT_EQ(calls[0].address, kHelperAddress);
}

TEST_F(RevokeInHelperTest, ADryRunDoesNotAskForTheCrl) {
  HelperRevokeAnswers(0, Revoked({"a1"}, true));
  auto j = Run({{}, "c0-2-1", "", "", true});
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_EQ(incus_->CallsTo("POST", "/1.0/instances/helper/exec")[0].json()["command"].back(), "--dry-run");
  EXPECT_FALSE(j->contains("crl"));
  EXPECT_TRUE(forestd_.calls().empty());
}

TEST_F(RevokeInHelperTest, ACrlThatIsMissingOrBehindIsAnError) {
  HelperRevokeAnswers(0, Revoked({"a1", "b2"}));
  CrlLists({"a1"});
  auto behind = Run({{"a1", "b2"}, "", "", "", false});
  ASSERT_FALSE(behind.ok());
  EXPECT_EQ(behind.error().message, "serial b2 is revoked in the helper's state but not in its CRL yet");

  forestd_.on_crl = [](const std::string&) { return Result<std::string>(MakeError("HTTP 503")); };
  auto none = Run({{"a1"}, "", "", "", false});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(
      none.error().message,
      "revoked, but the helper at [fd00:f00d::53]:8053 served no CRL; `forest status` shows whether it runs");

  // Signed by another key: not the helper's CRL.
  auto other = trust::CreateRoot("root@test", kNow).value();
  CrlLists({"a1", "b2"});
  forestd_.on_root_ca = [other](const std::string&) { return Result<std::string>(other.cert_pem); };
  auto forged = Run({{"a1"}, "", "", "", false});
  ASSERT_FALSE(forged.ok());
  EXPECT_TRUE(forged.error().message.starts_with("the helper's CRL: ")) << forged.error().message;
}

TEST_F(RevokeInHelperTest, HelperRevokesRefusalIsTheError) {
  HelperRevokeAnswers(1, "", "forest: error: serial \"abc123\" was not issued by this forest's CA\n");
  auto r = Run({{"abc123"}, "", "", "", false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "serial \"abc123\" was not issued by this forest's CA");
  EXPECT_TRUE(forestd_.calls().empty());

  HelperRevokeAnswers(2, "", "");
  r = Run({{"a1"}, "", "", "", false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "helper-revoke failed in helper");
}

TEST_F(RevokeInHelperTest, AnAnswerThatIsNotTheListIsAnError) {
  for (std::string out :
       {"", "[]", "{\"revoked\": {}}", "{\"revoked\": [{\"serial\": 1}]}",
        "{\"revoked\": [{\"serial\": \"a1\", \"caller\": \"c\", \"reason\": \"r\", \"names\": [1]}]}"}) {
    HelperRevokeAnswers(0, out);
    auto r = Run({{"a1"}, "", "", "", false});
    ASSERT_FALSE(r.ok()) << out;
    EXPECT_EQ(r.error().message, "helper-revoke answered something unexpected") << out;
  }
}

}  // namespace
}  // namespace forest::up

// Staging the host's root into the helper (forest ca stage, forest up)
// against an in-memory Incus; tests/forest_trust_test.sh and
// tests/forest_shell_holes_test.sh stage into a real helper.
#include "up/ca_stage.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "base/temp_dir.h"
#include "incus/exec_marks.h"
#include "incus/fake_transport.h"
#include "trust/caroot.h"

namespace forest::up {
namespace {

using incus::FakeTransport;

class CaStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    incus_ = NewIncus();
  }
  // A helper where every exec exits 0 and file pushes succeed.
  static std::shared_ptr<FakeTransport> NewIncus() {
    auto incus = std::make_shared<FakeTransport>();
    incus->On("POST", "/1.0/instances/helper/exec", FakeTransport::Sync({{"metadata", {{"return", 0}}}}));
    incus->On("POST", "/1.0/instances/helper/files", FakeTransport::Sync({}));
    return incus;
  }
  // A helper that holds `cert` and `key`: GET .../files answers the cert,
  // then the key (StageRoot's order).
  static std::shared_ptr<FakeTransport> Holding(const std::string& cert, const std::string& key) {
    auto incus = NewIncus();
    incus->On("GET", "/1.0/instances/helper/files", incus::HttpResponse{200, cert, {}});
    incus->On("GET", "/1.0/instances/helper/files", incus::HttpResponse{200, key, {}});
    return incus;
  }

  TempDir tmp_{"forest-ca-stage"};
  std::string dir_;
  std::shared_ptr<FakeTransport> incus_;
  std::vector<std::string> said_;
  std::function<void(const std::string&)> say_ = [this](const std::string& s) { said_.push_back(s); };
};

TEST_F(CaStageTest, MakesTheRootWhenAbsentAndStagesItByRename) {
  incus::Client c(incus_, "forest-t");
  std::string caroot = dir_ + "/mkcert";
  auto staged = StageCaroot(c, "helper", caroot, false, say_);
  ASSERT_TRUE(staged.ok()) << staged.error().message;
  EXPECT_TRUE(staged->changed);
  EXPECT_NE(staged->subject.find("mkcert development CA"), std::string::npos);
  EXPECT_EQ(said_, (std::vector<std::string>{"created a new mkcert-compatible root in " + caroot}));
  auto root = trust::LoadOrCreateRoot(caroot, false);
  ASSERT_TRUE(root.ok()) << root.error().message;

  auto execs = incus_->CallsTo("POST", "/1.0/instances/helper/exec");
  ASSERT_EQ(execs.size(), 2u);
  auto command = [&](size_t i) { return nlohmann::json(incus::Unmarked(execs[i].json()["command"])); };
  EXPECT_EQ(command(0), (nlohmann::json{"install", "-d", "-m", "0700", kHelperCaDir}));
  EXPECT_EQ(command(1)[4], std::string(kHelperCaDir) + "/rootCA-key.pem");
  EXPECT_EQ(command(1)[5], std::string(kHelperCaDir) + "/rootCA.pem");
  auto pushes = incus_->CallsTo("POST", "/1.0/instances/helper/files");
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_EQ(pushes[0].target, "/1.0/instances/helper/files?path=" +
                                  incus::Escape(std::string(kHelperCaDir) + "/rootCA-key.pem.new") +
                                  "&project=forest-t");
  EXPECT_EQ(pushes[0].body, root->files.key_pem);
  EXPECT_EQ(pushes[1].body, root->files.cert_pem);
}

TEST_F(CaStageTest, TheSameRootIsAlreadyStagedAndADifferentOneNeedsReplace) {
  std::string caroot = dir_ + "/mkcert";
  auto root = trust::LoadOrCreateRoot(caroot, true);
  ASSERT_TRUE(root.ok()) << root.error().message;
  auto holding = Holding(root->files.cert_pem, root->files.key_pem);
  incus::Client c(holding);
  auto same = StageCaroot(c, "helper", caroot, false, say_);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_FALSE(same->changed);
  EXPECT_TRUE(said_.empty());  // the root was there
  EXPECT_TRUE(holding->CallsTo("POST", "/1.0/instances/helper/exec").empty());

  std::string other_dir = dir_ + "/other";
  auto other = trust::LoadOrCreateRoot(other_dir, true);
  ASSERT_TRUE(other.ok());
  holding = Holding(root->files.cert_pem, root->files.key_pem);
  c = incus::Client(holding);
  auto refused = StageCaroot(c, "helper", other_dir, false, say_);
  ASSERT_FALSE(refused.ok());
  auto subject = trust::InspectCert(root->files.cert_pem)->subject;
  EXPECT_NE(refused.error().message.find("the helper helper signs with the root '" + subject + "'"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("`forest ca stage --replace`"), std::string::npos);
  EXPECT_TRUE(holding->CallsTo("POST", "/1.0/instances/helper/files").empty());

  holding = Holding(root->files.cert_pem, root->files.key_pem);
  c = incus::Client(holding);
  auto replaced = StageCaroot(c, "helper", other_dir, true, say_);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_TRUE(replaced->changed);
  EXPECT_EQ(holding->CallsTo("POST", "/1.0/instances/helper/files").back().body, other->files.cert_pem);
}

TEST_F(CaStageTest, AHalfPresentRootIsAnErrorAndNothingIsStaged) {
  std::string caroot = dir_ + "/mkcert";
  std::filesystem::create_directories(caroot);
  FILE* f = fopen((caroot + "/rootCA.pem").c_str(), "w");
  ASSERT_TRUE(f);
  fclose(f);
  incus::Client c(incus_);
  EXPECT_FALSE(StageCaroot(c, "helper", caroot, false, say_).ok());
  EXPECT_TRUE(incus_->calls.empty());
}

}  // namespace
}  // namespace forest::up

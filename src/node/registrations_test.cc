#include "node/registrations.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "api/helper_api.h"
#include "base/files.h"
#include "base/temp_dir.h"
#include "node/agent.h"
#include "node/test_plan.h"

namespace forest::node {
namespace {

namespace fs = std::filesystem;
using testing::Six;

class RegistrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    state_ = root_ + "/state";  // made by the first edit
    // The helper publishes c0-2's short alias, and one of c0's workloads.
    api::ForestReply view;
    view.names = {{"c0-2.c0.incus", {Six("fd00:1100::1")}, {"c0-2.incus"}},
                  {"peer.c0.incus", {Six("fd00:1000::30")}, {"peer.incus"}}};
    forest_body_ = api::ToJson(view).dump();
    forestd_.on_forest = [this](const std::string&) { return Result<std::string>(forest_body_); };
  }

  Registrations Here() {
    return Registrations(state_, chain_->p, chain_->Node("c0-2-1.c0-2.c0.incus"), forestd_);
  }
  Note Collect() {
    return [this](const std::string& line) { notes_ += line; };
  }

  std::unique_ptr<testing::Chain> chain_ = testing::SourceChain();
  api::FakeForestdClient forestd_;
  TempDir tmp_{"forest-registrations"};
  std::string root_, state_, forest_body_, notes_;
};

TEST_F(RegistrationsTest, RegisterWritesTheFileAndAsksTheHelper) {
  auto r = Here().Register("auth.app.incus", "app.incus", Collect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "auth.app.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(r->target, "app.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(notes_, "");
  auto saved = ReadRegistrations(state_);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(*saved, (std::vector<Service>{{"auth.app", "app"}}));
  ASSERT_EQ(forestd_.calls().size(), 1u);
  EXPECT_EQ(forestd_.calls()[0].what, "forest");
  EXPECT_EQ(forestd_.calls()[0].address, chain_->p.helper_address.ToString());

  // Again, for the node itself: retargeted, one entry.
  auto again = Here().Register("auth.app.incus", "c0-2-1.incus", Collect());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->target, "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(*ReadRegistrations(state_), (std::vector<Service>{{"auth.app", ""}}));
  auto list = Here().List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<LocalRecord>{{"auth.app.c0-2-1.c0-2.c0.incus", "c0-2-1.c0-2.c0.incus"}}));
}

TEST_F(RegistrationsTest, AnotherNodesNameIsRefusedWithTheReason) {
  auto node = Here().Register("c0-2.incus", "app.incus", Collect());
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().message,
            "--name c0-2.incus: c0-2.incus is a name of node c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's "
            "subtree; a service may not take another node's name (the helper would hold it back and sign it "
            "for nobody here). Choose another name");
  // What the helper publishes counts too; the plan alone does not know peer.
  auto peer = Here().Register("peer.incus", "app.incus", Collect());
  ASSERT_FALSE(peer.ok());
  EXPECT_NE(peer.error().message.find("peer.incus is published for peer.c0.incus"), std::string::npos)
      << peer.error().message;
  EXPECT_FALSE(fs::exists(state_ + "/" + kRegistrationsFile));
  // A name that does not resolve is refused before the helper is asked.
  size_t asked = forestd_.Count("forest");
  EXPECT_FALSE(Here().Register("auth.example.com", "app.incus", Collect()).ok());
  EXPECT_EQ(forestd_.Count("forest"), asked);
}

TEST_F(RegistrationsTest, WithoutTheHelperOnlyThePlanIsCheckedAndANoteSaysSo) {
  forestd_.on_forest = [](const std::string&) { return Result<std::string>(MakeError("HTTP 503")); };
  ASSERT_TRUE(Here().Register("peer.incus", "app.incus", Collect()).ok());
  EXPECT_EQ(notes_,
            "forest: note: the helper did not answer (HTTP 503); only the plan's node names were checked\n");
  notes_.clear();
  forest_body_ = R"({"names":"no"})";
  forestd_.on_forest = [this](const std::string&) { return Result<std::string>(forest_body_); };
  EXPECT_TRUE(Here().Register("other.incus", "app.incus", Collect()).ok());
  EXPECT_NE(notes_.find("forest: note: the helper did not answer (forest view: "), std::string::npos)
      << notes_;
  EXPECT_FALSE(Here().Register("c0-2.incus", "app.incus", Collect()).ok());  // the plan still holds
}

TEST_F(RegistrationsTest, WithdrawAndABrokenFile) {
  ASSERT_TRUE(Here().Register("auth.app.incus", "app.incus", Collect()).ok());
  ASSERT_TRUE(Here().Register("web.incus", "app.incus", Collect()).ok());
  auto gone = Here().Withdraw("auth.app.incus");
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(*gone, "auth.app.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(*ReadRegistrations(state_), (std::vector<Service>{{"web", "app"}}));
  EXPECT_FALSE(Here().Withdraw("auth.app.incus").ok());  // nothing registered there any more

  ASSERT_TRUE(WriteFileAtomic(state_ + "/" + kRegistrationsFile, "{\"schema\":1,").ok());
  auto broken = Here().Register("auth.app.incus", "app.incus", Collect());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find(state_ + "/" + kRegistrationsFile), std::string::npos)
      << broken.error().message;
  EXPECT_NE(broken.error().message.find("; fix or remove the file, then try again"), std::string::npos);
  EXPECT_FALSE(Here().List().ok());
}

TEST_F(RegistrationsTest, PokesItsOwnForestdAndWarnsWhenItDoesNotTakeIt) {
  Here().Poke(Collect());
  ASSERT_EQ(forestd_.Count("poke"), 1u);
  EXPECT_EQ(forestd_.calls().back().address, chain_->Node("c0-2-1.c0-2.c0.incus").node_address.ToString());
  EXPECT_EQ(forestd_.calls().back().body, "{}");
  EXPECT_EQ(notes_, "");
  forestd_.on_poke = [](const std::string&, const api::Poke&) { return Status(MakeError("HTTP 403")); };
  Here().Poke(Collect());
  EXPECT_EQ(notes_,
            "forest: warning: forestd did not take the change at once (HTTP 403); it applies it on its next "
            "repair. `systemctl status forestd` shows the daemon.\n");
}

TEST_F(RegistrationsTest, TheExportOrWhereToLook) {
  auto none = ReadExport(state_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message.rfind(state_ + "/export.json: no export yet (", 0), 0u)
      << none.error().message;
  EXPECT_NE(none.error().message.find("); is forestd running? `systemctl status forestd`"),
            std::string::npos);
  ASSERT_TRUE(MakeDirs(state_).ok());
  ASSERT_TRUE(WriteFileAtomic(state_ + "/" + kExportFile, "{\"schema\":1}\n").ok());
  EXPECT_EQ(ReadExport(state_).value(), "{\"schema\":1}\n");
}

}  // namespace
}  // namespace forest::node

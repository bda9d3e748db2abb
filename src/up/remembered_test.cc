#include "up/remembered.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/files.h"
#include "base/temp_dir.h"
#include "test_paths.h"

namespace forest::up {
namespace {

class RememberedTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("FOREST_STATE_DIR", state_.path().c_str(), 1); }
  void TearDown() override { unsetenv("FOREST_STATE_DIR"); }
  TempDir state_{"forest-remembered"};
  std::string file_ = std::string(FOREST_SOURCE_DIR) + "/examples/source-chain.yaml";
};

TEST_F(RememberedTest, UpRemembersTheSlotsAndTheTopologyUnderTheForestsName) {
  auto first = LoadAndPlanRemembered(file_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->had_slots);
  EXPECT_EQ(first->slots_dir, state_.path() + "/" + first->loaded->topology.name);
  ASSERT_TRUE(Remember(*first).ok());
  auto saved = ReadFile(first->slots_dir + "/topology.yaml");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(*saved, first->loaded->text);

  auto again = LoadAndPlanRemembered(file_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->had_slots);
  EXPECT_EQ(again->loaded->plan.Slots(), first->loaded->plan.Slots());
}

TEST_F(RememberedTest, AMaterializationThatIsNotThereIsAnErrorOnlyWhenItMustBe) {
  std::string missing = state_.path() + "/no-such";
  auto r = LoadAndPlanRemembered(file_, missing, /*must_exist=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no such materialization"), std::string::npos) << r.error().message;
  auto fresh = LoadAndPlanRemembered(file_, missing);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_FALSE(fresh->had_slots);
}

TEST_F(RememberedTest, DownTakesAFileOrTheNameOfARememberedForest) {
  EXPECT_EQ(*TopologyOrRemembered(file_), file_);
  auto first = LoadAndPlanRemembered(file_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Remember(*first).ok());
  const std::string& name = first->loaded->topology.name;
  EXPECT_EQ(*TopologyOrRemembered(name), first->slots_dir + "/topology.yaml");
  auto unknown = TopologyOrRemembered("nothing-here");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("`forest status` lists them"), std::string::npos);
  // A path that does not exist stays a path (its error comes from loading it).
  EXPECT_EQ(*TopologyOrRemembered("./gone.yaml"), "./gone.yaml");
}

TEST_F(RememberedTest, ForgetRemovesTheStateAndSaysWhetherItWasForestShells) {
  std::string dir = state_.path() + "/f";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/topology.yaml", "x").ok());
  EXPECT_FALSE(Forget(dir));
  EXPECT_FALSE(std::filesystem::exists(dir));
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/shell.json", "{}").ok());
  EXPECT_TRUE(Forget(dir));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace forest::up

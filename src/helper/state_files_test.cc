#include "helper/state_files.h"

#include <unistd.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "base/files.h"

namespace forest::helper {
namespace {

namespace fs = std::filesystem;

class StateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("forest-state-files-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StateFilesTest, RootsAreSavedReadAndRemoved) {
  StateFiles f(dir_);
  EXPECT_TRUE(f.ReadRoots().empty());  // no folder yet
  ASSERT_TRUE(f.SaveRoot("c0", "{\"schema\":1}").ok());
  ASSERT_TRUE(f.SaveRoot("c1", "{}").ok());
  auto roots = f.ReadRoots();
  ASSERT_EQ(roots.size(), 2u);
  std::map<std::string, std::string> by_label;
  for (const auto& r : roots) by_label[r.label] = r.text;
  EXPECT_EQ(by_label["c0"], "{\"schema\":1}");
  EXPECT_EQ(roots[0].path.rfind(dir_ + "/roots/", 0), 0u) << roots[0].path;
  f.RemoveRoot("c0");
  f.RemoveRoot("never-saved");  // nothing to do, no error
  roots = f.ReadRoots();
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0].label, "c1");
}

TEST_F(StateFilesTest, SerialRoundTripsAndABadFileSaysWhy) {
  StateFiles f(dir_);
  std::string problem;
  EXPECT_FALSE(f.ReadSerial(&problem).has_value());
  EXPECT_EQ(problem, "");  // none saved is not a problem
  ASSERT_TRUE(f.SaveSerial(1796283575u).ok());
  EXPECT_EQ(f.ReadSerial(&problem), std::optional<uint32_t>(1796283575u));
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/serial", "twelve\n").ok());
  EXPECT_FALSE(f.ReadSerial(&problem).has_value());
  EXPECT_NE(problem.find(dir_ + "/serial"), std::string::npos) << problem;
}

}  // namespace
}  // namespace forest::helper

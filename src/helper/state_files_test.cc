#include "helper/state_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

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

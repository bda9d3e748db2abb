#include "base/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace forest {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("forest-files-" + std::to_string(::getpid()));
    ASSERT_TRUE(MakeDirs(dir_.string()).ok());
  }
  void TearDown() override { (void)RemoveTree(dir_.string()); }
  std::filesystem::path dir_;
};

TEST_F(FilesTest, AtomicWriteReplacesAndLeavesNoTemporaries) {
  std::string p = (dir_ / "state.json").string();
  ASSERT_TRUE(WriteFileAtomic(p, "one").ok());
  ASSERT_TRUE(WriteFileAtomic(p, "two", 0600).ok());
  auto r = ReadFile(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "two");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FilesTest, WriteIfChangedWritesOnlyNewContent) {
  std::string p = (dir_ / "unit").string();
  EXPECT_TRUE(*WriteFileIfChanged(p, "a"));
  EXPECT_FALSE(*WriteFileIfChanged(p, "a"));
  EXPECT_TRUE(*WriteFileIfChanged(p, "b"));
  EXPECT_EQ(*ReadFile(p), "b");
  EXPECT_FALSE(WriteFileIfChanged((dir_ / "no" / "such").string(), "x").ok());
}

TEST_F(FilesTest, ReadRefusesOversizeAndMissing) {
  std::string p = (dir_ / "big").string();
  ASSERT_TRUE(WriteFileAtomic(p, std::string(100, 'x')).ok());
  auto r = ReadFile(p, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("limit of 10"), std::string::npos);
  EXPECT_FALSE(ReadFile((dir_ / "missing").string()).ok());
}

TEST_F(FilesTest, ReadStopsAtTheLimitOnAnEndlessDevice) {
  // /dev/zero has no size to check first: the read itself must stop.
  auto r = ReadFile("/dev/zero", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("limit of 1048576"), std::string::npos) << r.error().message;
  std::string p = (dir_ / "exact").string();
  ASSERT_TRUE(WriteFileAtomic(p, std::string(10, 'x')).ok());
  EXPECT_EQ(*ReadFile(p, 10), std::string(10, 'x'));  // the limit itself is allowed
}

TEST_F(FilesTest, WriteIntoMissingDirectoryFailsWithPath) {
  auto s = WriteFileAtomic((dir_ / "no" / "such" / "file").string(), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("no/such"), std::string::npos);
}

}  // namespace
}  // namespace forest

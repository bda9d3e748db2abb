#include "up/node_binary.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/fake_process.h"
#include "base/files.h"
#include "base/temp_dir.h"

namespace forest::up {
namespace {

namespace fs = std::filesystem;

TEST(NodeBinary, RealStripMakesOneCachedCopyPerBuild) {
  TempDir d("node-binary");
  std::string self = d.path() + "/forest";
  fs::copy_file("/bin/true", self);  // an ELF file strip accepts
  std::string cache = d.path() + "/cache";
  std::string got = NodeBinary(self, cache, SystemRunner());
  ASSERT_NE(got, self) << "strip (binutils) is expected on a build host";
  EXPECT_EQ(fs::path(got).parent_path().string(), cache);
  EXPECT_TRUE(fs::is_regular_file(got));
  EXPECT_EQ(fs::status(got).permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
  // The same build again: the copy as it is, strip not run.
  FakeProcessRunner fake;
  EXPECT_EQ(NodeBinary(self, cache, fake), got);
  EXPECT_TRUE(fake.calls().empty());
  // A new build replaces the old copy.
  ASSERT_TRUE(WriteFileAtomic(self, *ReadFile("/bin/true") + std::string(16, '\0'), 0755).ok());
  std::string next = NodeBinary(self, cache, SystemRunner());
  EXPECT_NE(next, got);
  EXPECT_FALSE(fs::exists(got));
  EXPECT_TRUE(fs::exists(next));
}

TEST(NodeBinary, WithoutStripTheBinaryAsItIs) {
  TempDir d("node-binary");
  std::string self = d.path() + "/forest";
  ASSERT_TRUE(WriteFileAtomic(self, "binary", 0755).ok());
  FakeProcessRunner fake;
  fake.FailToStart({"strip"});
  EXPECT_EQ(NodeBinary(self, d.path() + "/cache", fake), self);
  ASSERT_EQ(fake.Lines().size(), 1u);
  EXPECT_EQ(fake.Lines()[0].rfind("strip --strip-debug -o " + d.path() + "/cache/forest-6-", 0), 0u);
  fake.On({"strip"}, 1, "", "strip: not an ELF file");
  EXPECT_EQ(NodeBinary(self, d.path() + "/cache", fake), self);
  // strip "succeeded" but wrote nothing: still the binary itself.
  fake.On({"strip"}, 0);
  EXPECT_EQ(NodeBinary(self, d.path() + "/cache", fake), self);
  EXPECT_EQ(NodeBinary(d.path() + "/missing", d.path() + "/cache", fake), d.path() + "/missing");
}

}  // namespace
}  // namespace forest::up

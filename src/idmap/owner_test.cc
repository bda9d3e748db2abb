#include "idmap/owner.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"

namespace forest::idmap {
namespace {

TEST(IdmapOwner, AllowsAnOwnerInBothFilesOnce) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/forest-idmap-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  SubidFiles f{tmpl + "/subuid", tmpl + "/subgid"};
  ASSERT_TRUE(WriteFileAtomic(f.subuid, "root:1000000:65536\n").ok());
  auto changed = AllowOwner({1000, 1001}, f);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(*ReadFile(f.subuid), "root:1000000:65536\nroot:1000:1\n");
  EXPECT_EQ(*ReadFile(f.subgid), "root:1001:1\n") << "a missing file is made";
  auto again = AllowOwner({1000, 1001}, f);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  auto owner = OwnerOf(tmpl);
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->uid, geteuid());
  EXPECT_FALSE(OwnerOf(tmpl + "/missing").ok());
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace forest::idmap

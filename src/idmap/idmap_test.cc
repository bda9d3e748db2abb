#include "idmap/idmap.h"

#include <gtest/gtest.h>

namespace forest::idmap {
namespace {

TEST(Idmap, RootIsNeverMappedThrough) {
  EXPECT_TRUE(Mappable({1000, 1000}));
  EXPECT_FALSE(Mappable({0, 1000}));
  EXPECT_FALSE(Mappable({1000, 0}));
}

TEST(Idmap, RootIdIsAddedOnce) {
  EXPECT_EQ(WithRootId("", 1000), "root:1000:1\n");
  EXPECT_EQ(WithRootId("root:1000000:65536\n", 1000), "root:1000000:65536\nroot:1000:1\n");
  EXPECT_EQ(WithRootId("root:1000000:65536", 1000), "root:1000000:65536\nroot:1000:1\n")
      << "newline ended first";
  EXPECT_EQ(WithRootId("root:1000000:65536\nroot:1000:1\n", 1000), std::nullopt);
  EXPECT_EQ(WithRootId("root:1000:1", 1000), std::nullopt) << "the last line without its newline";
  EXPECT_EQ(WithRootId("root:10000:1\n", 1000), "root:10000:1\nroot:1000:1\n") << "whole lines only";
}

TEST(Idmap, SelfMap) { EXPECT_EQ(SelfMap({1000, 1001}), "uid 1000 1000\ngid 1001 1001\n"); }

}  // namespace
}  // namespace forest::idmap

#include "base/strings.h"

#include <gtest/gtest.h>

namespace forest {
namespace {

TEST(Strings, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("plan", "paln"), 2u);
  EXPECT_EQ(EditDistance("children", "childs"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(Strings, SuggestClosest) {
  std::vector<std::string> words{"plan", "generate", "version"};
  EXPECT_EQ(SuggestClosest("paln", words), "plan");
  EXPECT_EQ(SuggestClosest("genrate", words), "generate");
  EXPECT_EQ(SuggestClosest("xyzzy", words), "");
}

TEST(Strings, JoinComma) { EXPECT_EQ(JoinComma({"a", "b"}), "a, b"); }

}  // namespace
}  // namespace forest

#include "base/invoker.h"

#include <gtest/gtest.h>

namespace forest {
namespace {

TEST(Invoker, SudoIds) {
  auto none = ParseSudoIds(nullptr, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto empty = ParseSudoIds("", "5");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  auto ids = ParseSudoIds("2345", "100");
  ASSERT_TRUE(ids.ok());
  ASSERT_TRUE(ids->has_value());
  EXPECT_EQ((*ids)->first, 2345u);
  EXPECT_EQ((*ids)->second, 100u);
}

TEST(Invoker, MalformedSudoIdsAreErrors) {
  for (auto [u, g] : {std::pair{"12a", "1"}, {"1", ""}, {"-1", "1"}, {"99999999999", "1"}, {"1", nullptr}}) {
    auto r = ParseSudoIds(u, g);
    ASSERT_FALSE(r.ok()) << u;
    EXPECT_NE(r.error().message.find("SUDO_UID="), std::string::npos);
  }
}

}  // namespace
}  // namespace forest

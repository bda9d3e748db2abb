#include "helper/forest_tree.h"

#include <gtest/gtest.h>

namespace forest::helper {
namespace {

net::Ipv6Address A(const char* s) { return *net::Ipv6Address::Parse(s); }

api::ForestNode Node(const char* name) {
  return {name, *net::Ipv6Prefix::Parse("fd00:1000::/20"), A("fd00::1"), true};
}

api::ForestReply Chain() {
  api::ForestReply f;
  f.nodes = {Node("c0.incus"), Node("c0-2.c0.incus")};
  f.names = {{"app.c0-2.c0.incus", {A("fd00:1100::25")}, {"app.incus"}},
             {"c0-2.c0.incus", {A("fd00:1100::1")}, {"c0-2.incus"}},
             {"c0.incus", {A("fd00:1000::1")}, {}},
             {"forest-dns.incus", {A("fd00:f00d::53")}, {}}};
  return f;
}

TEST(ForestTree, NestsNamesUnderTheirNodesWithAliases) {
  EXPECT_EQ(RenderTree(Chain()),
            "c0.incus  [node]  fd00:1000::1\n"
            "  c0-2.c0.incus  [node]  fd00:1100::1  aliases: c0-2.incus\n"
            "    app.c0-2.c0.incus  fd00:1100::25  aliases: app.incus\n"
            "forest-dns.incus  fd00:f00d::53\n");
}

TEST(ForestTree, EmptyView) { EXPECT_EQ(RenderTree(api::ForestReply{}), "(no names published yet)\n"); }

TEST(ForestTree, AsksTheHelperAndSaysWhatWentWrong) {
  api::FakeForestdClient helper;
  helper.on_forest = [](const std::string&) { return Result<std::string>(api::ToJson(Chain()).dump()); };
  auto view = AskForest(helper, "t", A("fd00:f00d::53"));
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_EQ(*view, Chain());
  ASSERT_EQ(helper.calls().size(), 1u);
  EXPECT_EQ(helper.calls()[0].what, "forest");
  EXPECT_EQ(helper.calls()[0].address, "fd00:f00d::53");

  helper.on_forest = [](const std::string&) { return Result<std::string>(MakeError("HTTP 503")); };
  EXPECT_EQ(
      AskForest(helper, "t", A("fd00:f00d::53")).error().message,
      "the helper of 't' at [fd00:f00d::53]:8053 did not answer (HTTP 503); `forest status` shows whether "
      "it runs");
  helper.on_forest = [](const std::string&) { return Result<std::string>(std::string("<html>")); };
  EXPECT_EQ(AskForest(helper, "t", A("fd00:f00d::53")).error().message,
            "the helper answered something that is not JSON");
  // Input that does not have the shape of /v1/forest is refused, with the field.
  helper.on_forest = [](const std::string&) {
    return Result<std::string>(std::string(R"({"serial":1,"roots":[],"names":[1,{"x":2}],"nodes":"no"})"));
  };
  EXPECT_EQ(AskForest(helper, "t", A("fd00:f00d::53")).error().message,
            "the helper answered something unexpected: forest view: nodes: expected a list");
}

}  // namespace
}  // namespace forest::helper

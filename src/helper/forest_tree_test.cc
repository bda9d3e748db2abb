#include "helper/forest_tree.h"

#include <gtest/gtest.h>

namespace forest::helper {
namespace {

TEST(ForestTree, NestsNamesUnderTheirNodesWithAliases) {
  auto j = nlohmann::json::parse(R"({"nodes":[{"name":"c0.incus"},{"name":"c0-2.c0.incus"}],
    "names":[{"name":"app.c0-2.c0.incus","addresses":["fd00:1100::25"],"aliases":["app.incus"]},
             {"name":"c0-2.c0.incus","addresses":["fd00:1100::1"],"aliases":["c0-2.incus"]},
             {"name":"c0.incus","addresses":["fd00:1000::1"],"aliases":[]},
             {"name":"forest-dns.incus","addresses":["fd00:f00d::53"],"aliases":[]}]})");
  EXPECT_EQ(RenderTree(j),
            "c0.incus  [node]  fd00:1000::1\n"
            "  c0-2.c0.incus  [node]  fd00:1100::1  aliases: c0-2.incus\n"
            "    app.c0-2.c0.incus  fd00:1100::25  aliases: app.incus\n"
            "forest-dns.incus  fd00:f00d::53\n");
}

TEST(ForestTree, EmptyAndMalformedInputs) {
  EXPECT_EQ(RenderTree(nlohmann::json::object()), "(no names published yet)\n");
  EXPECT_EQ(RenderTree(nlohmann::json::parse(R"({"names":[1,{"x":2}],"nodes":"no"})")),
            "(no names published yet)\n");
}

}  // namespace
}  // namespace forest::helper

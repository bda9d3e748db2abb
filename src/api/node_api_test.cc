#include "api/node_api.h"

#include <gtest/gtest.h>

namespace forest::api {
namespace {

TEST(Poke, AChildOrTheNodeItself) {
  auto local = ParsePoke("");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->child, "");
  EXPECT_EQ(ParsePoke("{}")->child, "");
  EXPECT_EQ(ParsePoke(R"({"child":"c0-2-1"})")->child, "c0-2-1");
  EXPECT_EQ(ParsePoke(R"({"child":"c0-2-1","later":1})")->child, "c0-2-1");  // unknown fields: ignored
  for (const char* bad : {"[]", "\"c0\"", R"({"child":1})", R"({"child":null})", "{", "  "}) {
    auto p = ParsePoke(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().message, "expected {} or {\"child\": \"<label>\"}");
  }
  EXPECT_FALSE(ParsePoke(std::string(kMaxPokeBody + 1, ' ')).ok());
  EXPECT_EQ(SerializePoke({}), "{}");
  EXPECT_EQ(SerializePoke({"c0-2"}), R"({"child":"c0-2"})");
  EXPECT_EQ(ParsePoke(SerializePoke({"c0-2"}))->child, "c0-2");
}

TEST(NodeStatus, RoundTrips) {
  NodeStatus s;
  s.node = "c0-2.c0.incus";
  s.waiting = {"app"};
  s.rounds = 7;
  s.exported = {{"schema", 1}};
  auto j = ToJson(s);
  EXPECT_EQ(j["export"]["schema"], 1);
  auto back = ParseNodeStatus(j.dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->node, s.node);
  EXPECT_EQ(back->waiting, s.waiting);
  EXPECT_EQ(back->rounds, 7u);
  EXPECT_EQ(back->exported, s.exported);
  EXPECT_TRUE(ToJson(NodeStatus{})["export"].is_null());  // before the first export
  EXPECT_FALSE(ParseNodeStatus(R"({"node":"n","waiting":[1],"rounds":0})").ok());
  EXPECT_FALSE(ParseNodeStatus(R"({"node":"n","waiting":[],"rounds":-1})").ok());
  EXPECT_FALSE(ParseNodeStatus("null").ok());
}

}  // namespace
}  // namespace forest::api

// Schema-1 wire format: parsing hostile input and canonical serialisation.
#include "registration/registration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace forest::registration {
namespace {

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }

const char* kDesignExample = R"({ "schema": 1, "source_node": "c0-2-1",
  "records": [ {"name": "c0-2-1.c0-2.c0.incus", "address": "fd00:1110::1"},
               {"name": "auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus", "address": "fd00:1110::25"} ],
  "route": {"subtree": "fd00:1110::/28", "next_hop": "fd00:1100:0:1::1", "ready": true, "uplink_interface": "eth0"} })";

// The DESIGN example with one part replaced: Patch("\"schema\": 1", "\"schema\": 2").
std::string Patch(const std::string& from, const std::string& to) {
  std::string text = kDesignExample;
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string ErrorOf(std::string_view text, const Limits& limits = {}) {
  auto e = Parse(text, limits);
  EXPECT_FALSE(e.ok()) << text;
  return e.ok() ? "" : e.error().message;
}

TEST(Parse, DesignExample) {
  auto e = Parse(kDesignExample);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->schema, 1);
  EXPECT_EQ(e->source_node, "c0-2-1");
  ASSERT_EQ(e->records.size(), 2u);
  EXPECT_EQ(e->records[0].name, "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(e->records[0].address, A("fd00:1110::1"));
  EXPECT_EQ(e->records[1].address, A("fd00:1110::25"));
  EXPECT_EQ(e->route.subtree, P("fd00:1110::/28"));
  EXPECT_EQ(e->route.next_hop, A("fd00:1100:0:1::1"));
  EXPECT_TRUE(e->route.ready);
  EXPECT_EQ(e->route.uplink_interface, "eth0");
  EXPECT_TRUE(e->descendants.empty());
}

TEST(Parse, DescendantsExtension) {
  std::string text =
      Patch(R"("route": {"subtree")", R"("descendants": [{"name": "c0-2-1-1.c0-2-1.c0-2.c0.incus",
    "route": {"subtree": "fd00:1111::/32", "next_hop": "fd00:1110:0:1::1", "ready": false, "uplink_interface": "eth0"}}],
    "route": {"subtree")");
  auto e = Parse(text);
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->descendants.size(), 1u);
  EXPECT_EQ(e->descendants[0].name, "c0-2-1-1.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(e->descendants[0].route.subtree, P("fd00:1111::/32"));
  EXPECT_FALSE(e->descendants[0].route.ready);
}

TEST(Parse, UnknownKeysAreIgnored) {
  auto e =
      Parse(Patch(R"("schema": 1,)", R"("schema": 1, "signature": {"alg": ["x", [1, 2]]}, "future": null,)"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  auto base = Parse(kDesignExample);
  EXPECT_EQ(*e, *base);
  e = Parse(Patch(R"("address": "fd00:1110::1"})", R"("address": "fd00:1110::1", "ttl": 60})"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(*e, *base);
}

TEST(Parse, SizeLimitComesFirst) {
  Limits limits;
  limits.max_bytes = 100;
  std::string msg = ErrorOf(std::string(101, '{'), limits);
  EXPECT_NE(msg.find("101 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("limit is 100"), std::string::npos) << msg;
}

TEST(Parse, SyntaxErrorsSayWhere) {
  std::string text = kDesignExample;
  std::string msg = ErrorOf(text.substr(0, text.size() / 2));
  EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line"), std::string::npos) << msg;
  EXPECT_NE(ErrorOf("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kDesignExample) + " {}").find("not valid JSON"), std::string::npos);
}

TEST(Parse, DeepNestingIsRefusedCheaply) {
  std::string deep = R"({"schema": 1, "x": )" + std::string(10000, '[') + std::string(10000, ']') + "}";
  std::string msg = ErrorOf(deep);
  EXPECT_NE(msg.find("nested deeper"), std::string::npos) << msg;
}

TEST(Parse, TopLevelMustBeAnObject) {
  EXPECT_NE(ErrorOf("[1, 2]").find("expected a JSON object, got array"), std::string::npos);
  EXPECT_NE(ErrorOf("\"x\"").find("got string"), std::string::npos);
}

TEST(Parse, SchemaIsCheckedFirstAndNamed) {
  std::string msg = ErrorOf(R"({"schema": 2, "records": "whatever"})");
  EXPECT_NE(msg.find("schema 2 is not supported"), std::string::npos) << msg;
  EXPECT_NE(msg.find("speaks schema 1"), std::string::npos) << msg;
  msg = ErrorOf(Patch(R"("schema": 1)", R"("schema": "1")"));
  EXPECT_NE(msg.find("\"1\" is not a schema number"), std::string::npos) << msg;
  msg = ErrorOf(Patch(R"("schema": 1)", R"("schema": 1.5)"));
  EXPECT_NE(msg.find("1.5"), std::string::npos) << msg;
  msg = ErrorOf(Patch(R"("schema": 1)", R"("schema": 18446744073709551615)"));
  EXPECT_NE(msg.find("schema 18446744073709551615 is not supported"), std::string::npos) << msg;
  msg = ErrorOf(Patch(R"("schema": 1)", R"("schema": -1)"));
  EXPECT_NE(msg.find("schema -1 is not supported"), std::string::npos) << msg;
  msg = ErrorOf(Patch(R"("schema": 1,)", ""));
  EXPECT_NE(msg.find("schema: missing"), std::string::npos) << msg;
}

TEST(Parse, FieldErrorsNameThePath) {
  struct Case {
    std::string from, to, expect;
  };
  const std::vector<Case> cases = {
      {R"("source_node": "c0-2-1")", R"("source_node": 7)", "source_node: expected a string, got number"},
      {R"("source_node": "c0-2-1")", R"("source_node": "C0")", "source_node: label \"C0\""},
      {R"("source_node": "c0-2-1",)", "", "source_node: missing"},
      {R"("records": [)", R"("records": {"a": 1}, "x": [)", "records: expected an array, got object"},
      {R"({"name": "c0-2-1.c0-2.c0.incus", "address": "fd00:1110::1"})", "17",
       "records[0]: expected an object, got number"},
      {R"("c0-2-1.c0-2.c0.incus")", R"("c0-2-1.c0-2.c0.example")",
       "records[0].name: name \"c0-2-1.c0-2.c0.example\""},
      {R"("fd00:1110::25")", R"("x")", "records[1].address: \"x\" is not an IPv6 address"},
      {R"("fd00:1110::25")", R"("fd00:1110::25\u0000junk")",
       "records[1].address: \"fd00:1110::25\\x00junk\""},
      {R"("fd00:1110::25")", R"("fd00:1110::25/128")",
       "records[1].address: \"fd00:1110::25/128\" is a prefix"},
      {R"("fd00:1110::25")", R"("10.0.0.1x")", "records[1].address"},
      {R"("fd00:1110::25")", R"(null)", "records[1].address: expected a string, got null"},
      {R"("route": {)", R"("rout": {)", "route: missing"},
      {R"("fd00:1110::/28")", R"("fd00:1110::1/28")", "route.subtree"},
      {R"("fd00:1110::/28")", R"("fd00:1110::")", "route.subtree"},
      {R"("next_hop": "fd00:1100:0:1::1")", R"("next_hop": ["fd00:1100:0:1::1"])",
       "route.next_hop: expected a string, got array"},
      {R"("ready": true)", R"("ready": "yes")", "route.ready: expected a boolean, got string"},
      {R"("uplink_interface": "eth0")", R"("uplink_interface": "eth 0")",
       "route.uplink_interface: \"eth 0\""},
      {R"("uplink_interface": "eth0")", R"("uplink_interface": "")", "route.uplink_interface"},
      {R"("uplink_interface": "eth0")", R"("uplink_interface": "a-very-long-interface")",
       "route.uplink_interface"},
      {R"(, "uplink_interface": "eth0")", "", "route.uplink_interface: missing"},
  };
  for (const auto& c : cases) {
    std::string msg = ErrorOf(Patch(c.from, c.to));
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "got: " << msg << "\nwanted: " << c.expect;
  }
}

TEST(Parse, DescendantErrorsNameThePath) {
  auto with = [](const std::string& descendants) {
    return Patch(R"("route": {"subtree")", "\"descendants\": " + descendants + R"(, "route": {"subtree")");
  };
  EXPECT_NE(ErrorOf(with("{}")).find("descendants: expected an array, got object"), std::string::npos);
  EXPECT_NE(ErrorOf(with(R"([{"name": "x.incus"}])")).find("descendants[0].route: missing"),
            std::string::npos);
  std::string msg = ErrorOf(with(R"([{"name": "x.incus", "route": {"subtree": "fd00::/8x", "next_hop": "::",
                               "ready": true, "uplink_interface": "eth0"}}])"));
  EXPECT_NE(msg.find("descendants[0].route.subtree"), std::string::npos) << msg;
}

TEST(Parse, CountLimits) {
  Limits limits;
  limits.max_records = 1;
  std::string msg = ErrorOf(kDesignExample, limits);
  EXPECT_NE(msg.find("records: 2 entries; the limit is 1"), std::string::npos) << msg;

  limits = {};
  limits.max_descendants = 0;
  std::string text = Patch(R"("route": {"subtree")", R"("descendants": [{"name": "a.c0-2-1.c0-2.c0.incus",
    "route": {"subtree": "fd00:1111::/32", "next_hop": "fd00:1110:0:1::1", "ready": true, "uplink_interface": "eth0"}}],
    "route": {"subtree")");
  msg = ErrorOf(text, limits);
  EXPECT_NE(msg.find("descendants: 1 entries; the limit is 0"), std::string::npos) << msg;
}

TEST(Serialize, CanonicalText) {
  auto e = Parse(kDesignExample);
  ASSERT_TRUE(e.ok());
  const std::string expected = R"({
  "records": [
    {
      "address": "fd00:1110::25",
      "name": "auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus"
    },
    {
      "address": "fd00:1110::1",
      "name": "c0-2-1.c0-2.c0.incus"
    }
  ],
  "route": {
    "next_hop": "fd00:1100:0:1::1",
    "ready": true,
    "subtree": "fd00:1110::/28",
    "uplink_interface": "eth0"
  },
  "schema": 1,
  "source_node": "c0-2-1"
}
)";
  EXPECT_EQ(Serialize(*e), expected);
}

TEST(Serialize, NormalizesAndRoundTrips) {
  Export e;
  e.source_node = "c0";
  e.route = {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"};
  e.records = {{"b.c0.incus", A("fd00:1000::3")},
               {"a.c0.incus", A("fd00:1000::2")},
               {"b.c0.incus", A("fd00:1000::3")}};
  e.descendants = {{"c0-1.c0.incus", {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}},
                   {"c0-1.c0.incus", {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}}};
  std::string text = Serialize(e);
  EXPECT_EQ(text.back(), '\n');
  auto back = Parse(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  Export normal = e;
  Normalize(normal);
  EXPECT_EQ(normal.records.size(), 2u);
  EXPECT_EQ(normal.records[0].name, "a.c0.incus");
  EXPECT_EQ(normal.descendants.size(), 1u);
  EXPECT_EQ(*back, normal);
  EXPECT_EQ(Serialize(*back), text);
}

// Random exports with duplicates and random order.
Export RandomExport(std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  static const std::vector<std::string> kLabels = {"a", "web", "db", "auth", "c0-1", "x-9"};
  Export e;
  e.source_node = kLabels[pick(kLabels.size())];
  e.route = {P("fd00:1000::/20"), A("fd00:f00d:0:1::1").Plus(pick(4)), pick(2) == 0,
             pick(2) ? "eth0" : "up0"};
  int records = pick(30);
  for (int i = 0; i < records; ++i) {
    std::string name = kLabels[pick(kLabels.size())] + "." + e.source_node + ".incus";
    if (pick(3) == 0) name = kLabels[pick(kLabels.size())] + "." + name;
    e.records.push_back({name, A("fd00:1000::").Plus(pick(8))});
  }
  int descendants = pick(6);
  for (int i = 0; i < descendants; ++i) {
    int slot = 1 + pick(3);
    e.descendants.push_back({"c" + std::to_string(slot) + "." + e.source_node + ".incus",
                             {P("fd00:1000::/20").Subnet(24, slot).value(), A("fd00:1000:0:1::").Plus(slot),
                              pick(2) == 0, "eth0"}});
  }
  return e;
}

TEST(Serialize, PropertyRoundTripAndByteIdentical) {
  std::mt19937 rng(1234567);
  for (int iter = 0; iter < 300; ++iter) {
    Export e = RandomExport(rng);
    std::string text = Serialize(e);
    auto back = Parse(text);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
    Export normal = e;
    Normalize(normal);
    EXPECT_EQ(*back, normal);
    EXPECT_TRUE(std::is_sorted(back->records.begin(), back->records.end()));
    EXPECT_EQ(std::adjacent_find(back->records.begin(), back->records.end()), back->records.end());

    Export shuffled = e;
    std::shuffle(shuffled.records.begin(), shuffled.records.end(), rng);
    std::shuffle(shuffled.descendants.begin(), shuffled.descendants.end(), rng);
    EXPECT_EQ(Serialize(shuffled), text);
    EXPECT_EQ(Serialize(*back), text);
  }
}

}  // namespace
}  // namespace forest::registration

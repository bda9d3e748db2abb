#include "helper/helper_state.h"

#include <gtest/gtest.h>

namespace forest::helper {
namespace {

net::Ipv6Address Six(const char* s) { return *net::Ipv6Address::Parse(s); }

HelperState State() {
  RootSlot c0{{"c0", "c0.incus", *net::Ipv6Prefix::Parse("fd00:1000::/20"), Six("fd00:f00d:0:1::1")}};
  return HelperState({c0}, Six("fd00:f00d::53"), {*net::Ipv6Prefix::Parse("fd00:1000::/20")});
}

registration::Export Export(const char* c0_address) {
  registration::Export e;
  e.source_node = "c0";
  e.records = {{"c0.incus", Six(c0_address)}, {"app.c0.incus", Six("fd00:1000::25")}};
  e.route = {*net::Ipv6Prefix::Parse("fd00:1000::/20"), Six("fd00:f00d:0:1::1"), true, "eth0"};
  return e;
}

dns::Query Ask(const std::string& name) {
  dns::Query q;
  q.question = {name, dns::kAaaa, dns::kClassIn};
  return q;
}

TEST(HelperState, OnlyARootsUplinkMayPublish) {
  HelperState s = State();
  EXPECT_TRUE(s.RootForSource("fd00:f00d:0:1::1").ok());
  EXPECT_FALSE(s.RootForSource("fd00:1000::1").ok());
  EXPECT_FALSE(s.RootForSource("not an address").ok());
  EXPECT_FALSE(s.RootForSource("10.0.0.1").ok());
}

TEST(HelperState, PublishFeedsTheZoneWithAliases) {
  HelperState s = State();
  EXPECT_EQ(s.zone()->Respond(Ask("app.incus")).response.rcode, dns::kNxDomain);
  const RootSlot* root = *s.RootForSource("fd00:f00d:0:1::1");
  auto changed = s.Publish(*root, Export("fd00:1000::1"));
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(s.zone()->Respond(Ask("app.incus")).response.answers.size(), 1u);
  EXPECT_EQ(s.zone()->Respond(Ask("forest-dns.incus")).response.answers.size(), 1u);
  EXPECT_FALSE(*s.Publish(*root, Export("fd00:1000::1")));  // same again: no change
}

TEST(HelperState, ARejectedExportKeepsTheLastGoodOne) {
  HelperState s = State();
  const RootSlot* root = *s.RootForSource("fd00:f00d:0:1::1");
  ASSERT_TRUE(s.Publish(*root, Export("fd00:1000::1")).ok());
  uint32_t serial = s.serial();
  EXPECT_FALSE(s.Publish(*root, Export("fd00:2000::1")).ok());  // outside c0's prefix
  EXPECT_EQ(s.serial(), serial);
  auto a = s.zone()->Respond(Ask("c0.incus"));
  ASSERT_EQ(a.response.answers.size(), 1u);
  EXPECT_EQ(a.response.answers[0].rdata, dns::AaaaData(Six("fd00:1000::1").bytes));
  auto j = s.ForestJson();
  EXPECT_EQ(j["roots"][0]["published"], true);
}

}  // namespace
}  // namespace forest::helper

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
  q.question = {name, dns::kAaaa, dns::kClassIn, ""};
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
  auto j = api::ToJson(s.Forest());
  EXPECT_EQ(j["roots"][0]["published"], true);
}

TEST(HelperState, SerialOnlyGrowsAcrossRestarts) {
  constexpr int64_t kNow = 1795000000;
  // Fresh: the clock; saved below the clock: the clock; saved at or above
  // it (many changes in little time): one more than saved.
  EXPECT_EQ(HelperState::StartSerial(std::nullopt, kNow), uint32_t{kNow});
  EXPECT_EQ(HelperState::StartSerial(7, kNow), uint32_t{kNow});
  EXPECT_EQ(HelperState::StartSerial(kNow + 50, kNow), uint32_t{kNow + 51});
  EXPECT_EQ(HelperState::StartSerial(kNow, kNow), uint32_t{kNow + 1});
  // A clock that went backwards does not take the serial with it.
  EXPECT_EQ(HelperState::StartSerial(kNow, kNow - 3600), uint32_t{kNow + 1});

  // A restart simulated: publish, save, start again from the saved text.
  HelperState first = State();
  first.SetSerial(HelperState::StartSerial(std::nullopt, kNow));
  ASSERT_TRUE(first.Publish(**first.RootForSource("fd00:f00d:0:1::1"), Export("fd00:1000::1")).value());
  uint32_t before = first.serial();
  EXPECT_EQ(before, uint32_t{kNow + 1});
  auto saved = HelperState::ParseSerial(HelperState::SerialText(before), "serial");
  ASSERT_TRUE(saved.ok());
  HelperState second = State();
  second.SetSerial(HelperState::StartSerial(*saved, kNow));  // same second: the clock did not move
  ASSERT_TRUE(second.Publish(**second.RootForSource("fd00:f00d:0:1::1"), Export("fd00:1000::1")).value());
  EXPECT_GT(second.serial(), before);
  EXPECT_EQ(second.zone()->data().serial, second.serial());
}

TEST(HelperState, BadSerialFilesSayWhy) {
  EXPECT_EQ(HelperState::ParseSerial("42\n", "f").value(), 42u);
  for (const char* bad : {"", "x", "-1", "99999999999", "1.5"}) {
    auto r = HelperState::ParseSerial(bad, "/var/lib/forestd/serial");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("/var/lib/forestd/serial"), std::string::npos);
  }
}

}  // namespace
}  // namespace forest::helper

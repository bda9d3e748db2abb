#include "dns/zone.h"

#include <gtest/gtest.h>

namespace forest::dns {
namespace {

net::Ipv6Address Six(const char* s) { return *net::Ipv6Address::Parse(s); }

ZoneData Data() {
  ZoneData d;
  d.names["forest-dns.incus"].v6 = {Six("fd00:f00d::53")};
  d.names["c0.incus"].v6 = {Six("fd00:1000::1")};
  d.names["c0-2-1.c0-2.c0.incus"].v6 = {Six("fd00:1110::1")};
  d.names["c0-2-1.incus"] = {{Six("fd00:1110::1")}, {}, false};  // an alias: no PTR
  d.names["legacy.c0.incus"].v4 = {{10, 203, 1, 5}};
  d.reverse_zones = {*net::Ipv6Prefix::Parse("fd00:1000::/20")};
  return d;
}

Query Ask(const std::string& name, uint16_t type, bool edns = false) {
  Query q;
  q.id = 42;
  q.question = {name, type, kClassIn};
  if (edns) q.edns = Edns{4096, false, 0};
  return q;
}

TEST(DnsZone, AnswersAaaaAndA) {
  Zone z(Data(), true);
  auto a = z.Respond(Ask("c0-2-1.incus", kAaaa));
  EXPECT_TRUE(a.ours);
  EXPECT_TRUE(a.response.authoritative);
  EXPECT_EQ(a.response.rcode, kNoError);
  ASSERT_EQ(a.response.answers.size(), 1u);
  EXPECT_EQ(a.response.answers[0].rdata, AaaaData(Six("fd00:1110::1").bytes));
  auto v4 = z.Respond(Ask("legacy.c0.incus", kA));
  ASSERT_EQ(v4.response.answers.size(), 1u);
  EXPECT_EQ(v4.response.answers[0].rdata, std::string("\x0a\xcb\x01\x05", 4));
}

TEST(DnsZone, NodataVersusNxdomain) {
  Zone z(Data(), true);
  auto nodata = z.Respond(Ask("c0.incus", kA));  // exists, no A
  EXPECT_EQ(nodata.response.rcode, kNoError);
  EXPECT_TRUE(nodata.response.answers.empty());
  ASSERT_EQ(nodata.response.authority.size(), 1u);
  EXPECT_EQ(nodata.response.authority[0].type, kSoa);
  auto ent = z.Respond(Ask("c0-2.c0.incus", kAaaa));  // empty non-terminal
  EXPECT_EQ(ent.response.rcode, kNoError);
  auto nx = z.Respond(Ask("nope.c0.incus", kAaaa));
  EXPECT_EQ(nx.response.rcode, kNxDomain);
  ASSERT_EQ(nx.response.authority.size(), 1u);
  EXPECT_EQ(nx.response.authority[0].ttl, 5u);
  // "0.incus" is a suffix of "c0.incus" but not a name above it.
  EXPECT_EQ(z.Respond(Ask("0.incus", kAaaa)).response.rcode, kNxDomain);
}

TEST(DnsZone, ApexSoaAndNsWithGlue) {
  Zone z(Data(), true);
  auto soa = z.Respond(Ask("incus", kSoa));
  ASSERT_EQ(soa.response.answers.size(), 1u);
  EXPECT_EQ(soa.response.answers[0].type, kSoa);
  auto ns = z.Respond(Ask("incus", kNs));
  ASSERT_EQ(ns.response.answers.size(), 1u);
  EXPECT_EQ(ns.response.answers[0].rdata, NameData("forest-dns.incus"));
  ASSERT_EQ(ns.response.additional.size(), 1u);
  EXPECT_EQ(ns.response.additional[0].type, kAaaa);
}

TEST(DnsZone, PtrForForestAddresses) {
  Zone z(Data(), true);
  auto ptr = z.Respond(Ask(ReverseName(Six("fd00:1110::1").bytes), kPtr));
  EXPECT_TRUE(ptr.response.authoritative);
  ASSERT_EQ(ptr.response.answers.size(), 1u);  // the canonical name only
  EXPECT_EQ(ptr.response.answers[0].rdata, NameData("c0-2-1.c0-2.c0.incus"));
  auto unknown = z.Respond(Ask(ReverseName(Six("fd00:1000::99").bytes), kPtr));
  EXPECT_EQ(unknown.response.rcode, kNxDomain);
  auto outside = z.Respond(Ask(ReverseName(Six("2001:db8::1").bytes), kPtr));
  EXPECT_EQ(outside.response.rcode, kRefused);
  EXPECT_FALSE(outside.ours);
}

TEST(DnsZone, ReverseNegativeAnswersCarryTheReverseZonesSoa) {
  // RFC 2308: NXDOMAIN and NODATA name the zone's SOA, here fd00:1000::/20's.
  Zone z(Data(), true);
  const std::string apex = "1.0.0.d.f.ip6.arpa";
  auto unknown = z.Respond(Ask(ReverseName(Six("fd00:1000::99").bytes), kPtr));
  EXPECT_EQ(unknown.response.rcode, kNxDomain);
  ASSERT_EQ(unknown.response.authority.size(), 1u);
  EXPECT_EQ(unknown.response.authority[0].type, kSoa);
  EXPECT_EQ(unknown.response.authority[0].name, apex);
  auto nodata = z.Respond(Ask(ReverseName(Six("fd00:1110::1").bytes), kAaaa));
  EXPECT_EQ(nodata.response.rcode, kNoError);
  EXPECT_TRUE(nodata.response.answers.empty());
  ASSERT_EQ(nodata.response.authority.size(), 1u);
  EXPECT_EQ(nodata.response.authority[0].name, apex);
  auto ptr = z.Respond(Ask(ReverseName(Six("fd00:1110::1").bytes), kPtr));
  EXPECT_TRUE(ptr.response.authority.empty());
}

TEST(DnsZone, OutsideTheZoneIsRefused) {
  Zone z(Data(), true);
  auto a = z.Respond(Ask("example.com", kAaaa));
  EXPECT_FALSE(a.ours);
  EXPECT_EQ(a.response.rcode, kRefused);
  EXPECT_FALSE(a.response.authoritative);
}

TEST(DnsZone, ANodeAnswersOnlyWhatItKnows) {
  Zone z(Data(), false);
  EXPECT_TRUE(z.Respond(Ask("c0.incus", kAaaa)).ours);
  EXPECT_FALSE(z.Respond(Ask("nope.c0.incus", kAaaa)).ours);   // forwarded, never denied
  EXPECT_FALSE(z.Respond(Ask("c0-2.c0.incus", kAaaa)).ours);   // also an empty non-terminal
  EXPECT_FALSE(z.Respond(Ask(ReverseName(Six("fd00:1000::99").bytes), kPtr)).ours);
}

TEST(DnsZone, EdnsEchoAndBadVersion) {
  Zone z(Data(), true);
  auto a = z.Respond(Ask("c0.incus", kAaaa, true));
  ASSERT_TRUE(a.response.edns);
  EXPECT_EQ(a.response.edns->udp_size, Zone::kUdpPayload);
  Query v1 = Ask("c0.incus", kAaaa, true);
  v1.edns->version = 1;
  auto bad = z.Respond(v1);
  EXPECT_EQ(bad.response.rcode, kBadVers);
  auto wire = ParseResponse(Serialize(bad.response));
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->rcode, kBadVers);  // upper bits carried by OPT
}

TEST(DnsZone, GarbageGetsFormerrOrNothing) {
  Zone z(Data(), true);
  EXPECT_FALSE(z.RespondWire("abc"));
  auto a = z.RespondWire(std::string("\x12\x34\x01\x00\x00\x05\x00\x00\x00\x00\x00\x00", 12));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response.rcode, kFormErr);
  EXPECT_EQ(a->response.id, 0x1234);
  EXPECT_TRUE(a->response.recursion_desired);
}

TEST(DnsZone, UdpLimit) {
  Query q = Ask("c0.incus", kAaaa);
  EXPECT_EQ(UdpLimit(q), 512u);
  q.edns = Edns{65000, false, 0};
  EXPECT_EQ(UdpLimit(q), 1232u);
  q.edns = Edns{100, false, 0};
  EXPECT_EQ(UdpLimit(q), 512u);
}

TEST(Zone, ForestNamesGoToTheHelperTheRestToDns64) {
  EXPECT_TRUE(IsForestName("incus"));
  EXPECT_TRUE(IsForestName("c0-2.c0.incus"));
  EXPECT_TRUE(IsForestName("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.d.f.ip6.arpa"));
  EXPECT_FALSE(IsForestName("v4only.example"));
  EXPECT_FALSE(IsForestName("notincus"));   // a label that merely ends in "incus"
  EXPECT_FALSE(IsForestName("incus.example"));
  EXPECT_FALSE(IsForestName("10.in-addr.arpa"));
  EXPECT_FALSE(IsForestName(""));           // the root zone goes to DNS64
}

}  // namespace
}  // namespace forest::dns

#include "serve/conn_limits.h"

#include <gtest/gtest.h>

namespace forest::serve {
namespace {

ConnectionLimits Small() { return {.per_source = 2, .per_network = 3, .global = 5, .reserve = 2}; }

TEST(ConnectionLimiter, PerSourceCapThenRelease) {
  ConnectionLimiter l(Small());
  EXPECT_EQ(l.Acquire("a", "n1", false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("a", "n1", false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("a", "n1", false), Refusal::kPerSource);
  EXPECT_EQ(l.open(), 2u);
  l.Release("a", "n1");
  EXPECT_EQ(l.Acquire("a", "n1", false), Refusal::kNone);
}

TEST(ConnectionLimiter, PerNetworkCapsManyAddressesOfOneWorkloadNetwork) {
  ConnectionLimiter l(Small());
  EXPECT_EQ(l.Acquire("a1", "lan", false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("a2", "lan", false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("a3", "lan", false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("a4", "lan", false), Refusal::kPerNetwork);
  EXPECT_EQ(l.Acquire("b1", "other", false), Refusal::kNone);  // another network is not affected
  // A privileged source in a full network (the host beside a flooding
  // neighbour on its bridge) still gets in.
  EXPECT_EQ(l.Acquire("host", "lan", true), Refusal::kNone);
}

TEST(ConnectionLimiter, ReserveIsForPrivilegedSourcesOnly) {
  ConnectionLimiter l(Small());
  for (const char* s : {"w1", "w2", "w3", "w4", "w5"}) EXPECT_EQ(l.Acquire(s, s, false), Refusal::kNone);
  EXPECT_EQ(l.Acquire("w6", "w6", false), Refusal::kGlobal);
  EXPECT_EQ(l.Acquire("root", "up", true), Refusal::kNone);
  EXPECT_EQ(l.Acquire("host", "br", true), Refusal::kNone);
  EXPECT_EQ(l.Acquire("node", "x", true), Refusal::kGlobal);  // the reserve is used up too
  EXPECT_EQ(l.Acquire("root", "up", true), Refusal::kGlobal);
  l.Release("w1", "w1");  // 6 open: over the public ceiling still, one left in reserve
  EXPECT_EQ(l.Acquire("w7", "w7", false), Refusal::kGlobal);
  EXPECT_EQ(l.Acquire("node", "x", true), Refusal::kNone);
  EXPECT_EQ(l.open(), 7u);
}

TEST(ConnectionLimiter, PrivilegedSourcesKeepTheirPerSourceCap) {
  ConnectionLimiter l(Small());
  EXPECT_EQ(l.Acquire("root", "up", true), Refusal::kNone);
  EXPECT_EQ(l.Acquire("root", "up", true), Refusal::kNone);
  EXPECT_EQ(l.Acquire("root", "up", true), Refusal::kPerSource);
}

TEST(ConnectionLimiter, ReleaseOfUnknownIsHarmlessAndMapsShrink) {
  ConnectionLimiter l(Small());
  l.Release("nobody", "nowhere");
  EXPECT_EQ(l.open(), 0u);
  EXPECT_EQ(l.Acquire("a", "n", false), Refusal::kNone);
  EXPECT_EQ(l.sources(), 1u);
  l.Release("a", "n");
  EXPECT_EQ(l.sources(), 0u);
  EXPECT_EQ(l.open(), 0u);
}

TEST(FitToFdLimit, UnchangedWhenTheyFit) {
  ConnectionLimits http{32, 128, 2048, 256}, dns{16, 64, 512, 64};
  FitToFdLimit(524288, 256, {&http, &dns});
  EXPECT_EQ(http.global, 2048u);
  EXPECT_EQ(dns.global, 512u);
}

TEST(FitToFdLimit, ShrinksInProportionUnderTheDefault1024) {
  ConnectionLimits http{32, 128, 2048, 256}, dns{16, 64, 512, 64};
  FitToFdLimit(1024, 256, {&http, &dns});
  EXPECT_LE(http.global + http.reserve + dns.global + dns.reserve, 1024u - 256u);
  EXPECT_GT(http.reserve, 0u);
  EXPECT_GT(dns.reserve, 0u);
  EXPECT_GT(http.global, dns.global);
  EXPECT_LE(http.per_network, http.global);
}

TEST(FitToFdLimit, NeverZero) {
  ConnectionLimits http{32, 128, 2048, 256};
  FitToFdLimit(10, 256, {&http});
  EXPECT_GE(http.global, 1u);
  EXPECT_GE(http.reserve, 1u);
  EXPECT_EQ(http.per_source, 1u);
}

TEST(Describe, SaysEveryLimit) {
  EXPECT_EQ(Describe({32, 128, 2048, 256}), "32 per source, 128 per /64, 2048 in total + 256 kept for the forest's own");
}

TEST(RefusalName, Names) {
  EXPECT_STREQ(RefusalName(Refusal::kPerSource), "per_source");
  EXPECT_STREQ(RefusalName(Refusal::kPerNetwork), "per_network");
  EXPECT_STREQ(RefusalName(Refusal::kGlobal), "global");
}

}  // namespace
}  // namespace forest::serve

// The CSR policy on the DESIGN chain c0 → c0-2 → c0-2-1 (workload
// fasthtml-plus-integration-test with service auth), a sibling workload peer
// and a sibling node c0-1 with a workload app.
#include "trust/san_policy.h"

#include <gtest/gtest.h>

namespace forest::trust {
namespace {

using registration::Delegation;
using registration::Export;
using registration::ForestView;
using registration::Merge;
using Names = std::vector<std::string>;

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }

const std::string kApp = "fasthtml-plus-integration-test";
const std::string kC021 = "c0-2-1.c0-2.c0.incus";

ForestView View() {
  Export leaf = Merge("c0-2-1",
                      {{kC021, A("fd00:1110::1")},
                       {kApp + "." + kC021, A("fd00:1110::25")},
                       {"auth." + kApp + "." + kC021, A("fd00:1110::25")}},
                      {P("fd00:1110::/28"), A("fd00:1100:0:1::1"), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", kC021, P("fd00:1110::/28"), A("fd00:1100:0:1::1")};
  Export mid = Merge("c0-2", {{"c0-2.c0.incus", A("fd00:1100::1")}, {"peer.c0-2.c0.incus", A("fd00:1100::7")}},
                     {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}, {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A("fd00:1000:0:1::1")};
  Export c01 = Merge("c0-1", {{"c0-1.c0.incus", A("fd00:1200::1")}, {"app.c0-1.c0.incus", A("fd00:1200::9")}},
                     {P("fd00:1200::/24"), A("fd00:1000:0:1::2"), true, "eth0"}, {});
  Delegation to_c01{"c0-1", "c0-1.c0.incus", P("fd00:1200::/24"), A("fd00:1000:0:1::2")};
  Export root = Merge("c0", {{"c0.incus", A("fd00:1000::1")}}, {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"},
                      {{to_c02, mid}, {to_c01, c01}});
  return ForestView::Build({root}, {{"forest-dns.incus", A("fd00:f00d::53")}, {"forest-ca.incus", A("fd00:f00d::53")}});
}

TEST(LabelPathForName, AliasesAndCanonicalNamesGiveTheSamePath) {
  for (const char* name : {"auth.app.incus", "auth.app.c0-2-1.incus", "auth.app.c0-2-1.c0-2.incus",
                           "auth.app.c0-2-1.c0-2.c0.incus", "Auth.App.Incus."}) {
    auto p = LabelPathForName(kC021, name);
    ASSERT_TRUE(p.ok()) << name << ": " << p.error().message;
    EXPECT_EQ(*p, "auth.app") << name;
  }
}

TEST(LabelPathForName, TheNodeItselfIsTheEmptyPath) {
  for (const char* name : {"c0-2-1.incus", "c0-2-1.c0-2.incus", "c0-2-1.c0-2.c0.incus"}) {
    EXPECT_EQ(LabelPathForName(kC021, name).value(), "") << name;
  }
  EXPECT_EQ(LabelPathForName(kC021, "c0-2.incus").value(), "c0-2");
}

TEST(LabelPathForName, RefusesWhatTheForestCaDoesNotSign) {
  auto ip = LabelPathForName(kC021, "fd00:1110::25");
  ASSERT_FALSE(ip.ok());
  EXPECT_NE(ip.error().message.find("IP addresses are not signed"), std::string::npos);
  EXPECT_FALSE(LabelPathForName(kC021, "127.0.0.1").ok());
  auto local = LabelPathForName(kC021, "localhost");
  ASSERT_FALSE(local.ok());
  EXPECT_NE(local.error().message.find("only names under .incus"), std::string::npos);
  auto wild = LabelPathForName(kC021, "*.app.incus");
  ASSERT_FALSE(wild.ok());
  EXPECT_NE(wild.error().message.find("wildcard"), std::string::npos);
  EXPECT_FALSE(LabelPathForName(kC021, "bad_label.incus").ok());
}

TEST(DecideSans, ServiceFamilyIsCanonicalPlusAliases) {
  auto d = DecideSans(View(), kC021, {"auth." + kApp}, {"auth." + kApp + ".incus"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->sans, (Names{"auth." + kApp + ".incus", "auth." + kApp + "." + kC021,
                            "auth." + kApp + ".c0-2-1.incus", "auth." + kApp + ".c0-2-1.c0-2.incus"}));
  EXPECT_TRUE(d->withheld.empty());
}

TEST(DecideSans, UnregisteredServiceIsSignedInTheCallersSpace) {
  auto d = DecideSans(View(), kC021, {"auth.app"}, {"auth.app.incus"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->sans.front(), "auth.app.incus");
  EXPECT_EQ(d->sans.size(), 4u);
}

TEST(DecideSans, TheNodeItself) {
  auto d = DecideSans(View(), kC021, {""}, {"c0-2-1.incus"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->sans, (Names{"c0-2-1.incus", kC021, "c0-2-1.c0-2.incus"}));
}

TEST(DecideSans, SiblingNamesAreRefusedAndSay) {
  // peer.incus is the published alias of the sibling workload peer in c0-2.
  auto peer = DecideSans(View(), kC021, {"peer"}, {"peer.incus"});
  ASSERT_FALSE(peer.ok());
  EXPECT_NE(peer.error().message.find("peer.incus is published for peer.c0-2.c0.incus, outside " + kC021),
            std::string::npos)
      << peer.error().message;
  // The parent's own names.
  auto parent = DecideSans(View(), kC021, {"c0-2"}, {"c0-2.incus"});
  ASSERT_FALSE(parent.ok());
  EXPECT_NE(parent.error().message.find("published for c0-2.c0.incus"), std::string::npos) << parent.error().message;
  auto parent_canonical = DecideSans(View(), kC021, {"c0-2.c0"}, {"c0-2.c0.incus"});
  ASSERT_FALSE(parent_canonical.ok());
  EXPECT_NE(parent_canonical.error().message.find("is a name of node c0-2.c0.incus, outside " + kC021), std::string::npos)
      << parent_canonical.error().message;
  // A name inside a sibling subtree that does not exist yet.
  auto inside = DecideSans(View(), kC021, {"x.c0-1.c0"}, {"x.c0-1.c0.incus"});
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.error().message.find("lies under c0-1.c0.incus"), std::string::npos) << inside.error().message;
}

TEST(DecideSans, NamesAreSignedOnlyForTheNodeThatHostsThem) {
  // c0-2 is c0-2-1's parent, but c0-2-1's names are c0-2-1's: its canonical
  // name, its aliases and its workloads' names.
  for (const char* path : {"c0-2-1", "fasthtml-plus-integration-test.c0-2-1", "x.c0-2-1"}) {
    auto d = DecideSans(View(), "c0-2.c0.incus", {path}, {std::string(path) + ".c0-2.c0.incus"});
    ASSERT_FALSE(d.ok()) << path;
    EXPECT_TRUE(d.error().message.find("is a name of node " + kC021) != std::string::npos ||
                d.error().message.find("lies under node " + kC021) != std::string::npos)
        << d.error().message;
  }
  EXPECT_EQ(NameConflict(View(), "c0-2.c0.incus", "c0-2-1.incus"),
            "is published for " + kC021 + ", whose node is " + kC021 + "; it is signed only for " + kC021);
  EXPECT_EQ(NameConflict(View(), kC021, "c0-2-1.incus"), std::nullopt);
  // c0-2's own names stay signable for c0-2.
  auto own = DecideSans(View(), "c0-2.c0.incus", {""}, {"c0-2.incus"});
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_TRUE(own->has_alias);
}

TEST(DecideSans, ShortAliasesAreMarked) {
  EXPECT_TRUE(DecideSans(View(), kC021, {"auth.app"}, {"auth.app.incus"})->has_alias);
  // The root has no alias candidates at all.
  auto root = DecideSans(View(), "c0.incus", {""}, {"c0.incus"});
  ASSERT_TRUE(root.ok());
  EXPECT_FALSE(root->has_alias);
}

TEST(DecideSans, HelperNamesAreRefused) {
  for (const char* name : {"forest-ca.incus", "forest-dns.incus", "x.apt-cache.incus"}) {
    auto path = LabelPathForName(kC021, name).value();
    auto d = DecideSans(View(), kC021, {path}, {name});
    ASSERT_FALSE(d.ok()) << name;
    EXPECT_NE(d.error().message.find("reserved for the helper"), std::string::npos) << d.error().message;
  }
}

TEST(DecideSans, SharedAliasIsWithheldFromTheFamilyButCanonicalStays) {
  // app.incus is published for app.c0-1.c0.incus; c0-2-1 may still have its
  // own app's canonical names, just not the short alias.
  auto d = DecideSans(View(), kC021, {"app"}, {"app." + kC021});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->sans, (Names{"app." + kC021, "app.c0-2-1.incus", "app.c0-2-1.c0-2.incus"}));
  ASSERT_EQ(d->withheld.size(), 1u);
  EXPECT_NE(d->withheld[0].find("app.incus is published for app.c0-1.c0.incus"), std::string::npos);
}

TEST(DecideSans, RequestedNamesMustBeInTheFamilies) {
  auto d = DecideSans(View(), kC021, {"auth." + kApp}, {"other." + kApp + ".incus"});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("not a name of the requested label paths"), std::string::npos);
}

TEST(DecideSans, BadLabelPathsAreRefused) {
  EXPECT_FALSE(DecideSans(View(), kC021, {}, {}).ok());
  EXPECT_FALSE(DecideSans(View(), kC021, {"Bad_Label"}, {}).ok());
  EXPECT_FALSE(DecideSans(View(), kC021, Names(kMaxLabelPaths + 1, "a"), {}).ok());
  auto empty = DecideSans(View(), kC021, {"a..b"}, {});
  EXPECT_FALSE(empty.ok());
}

}  // namespace
}  // namespace forest::trust

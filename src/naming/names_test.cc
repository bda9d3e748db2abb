#include "naming/names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace forest::naming {
namespace {

ObjectName Node(std::vector<std::string> self_then_ancestors) {
  ObjectName o;
  o.label_path = {self_then_ancestors.front()};
  o.chain.assign(self_then_ancestors.begin() + 1, self_then_ancestors.end());
  return o;
}

ObjectName Service(std::vector<std::string> label_path, std::vector<std::string> chain) {
  return ObjectName{std::move(label_path), std::move(chain)};
}

TEST(ValidateLabel, AcceptsRfc1123Labels) {
  EXPECT_TRUE(ValidateLabel("c0").ok());
  EXPECT_TRUE(ValidateLabel("c0-2-1").ok());
  EXPECT_TRUE(ValidateLabel("a").ok());
  EXPECT_TRUE(ValidateLabel("0").ok());
  EXPECT_TRUE(ValidateLabel(std::string(63, 'a')).ok());
}

TEST(ValidateLabel, SaysWhichRuleFailed) {
  auto s = ValidateLabel("");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("empty"), std::string::npos);

  s = ValidateLabel(std::string(64, 'a'));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("64"), std::string::npos);
  EXPECT_NE(s.error().message.find("63"), std::string::npos);

  s = ValidateLabel("web_1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("'_'"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("position 3"), std::string::npos) << s.error().message;

  s = ValidateLabel("Web");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("lower-case"), std::string::npos) << s.error().message;

  s = ValidateLabel("-a");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("starts with '-'"), std::string::npos);
  s = ValidateLabel("a-");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("ends with '-'"), std::string::npos);

  s = ValidateLabel(std::string("a\x01", 2));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("\\x01"), std::string::npos) << s.error().message;
}

TEST(ValidateName, AcceptsNamesUnderTheZone) {
  EXPECT_TRUE(ValidateName("c0.incus").ok());
  EXPECT_TRUE(ValidateName("auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus").ok());
}

TEST(ValidateName, RejectsBadNames) {
  EXPECT_FALSE(ValidateName("").ok());
  EXPECT_FALSE(ValidateName("incus").ok());
  EXPECT_FALSE(ValidateName(".incus").ok());
  EXPECT_FALSE(ValidateName("c0.example").ok());
  EXPECT_FALSE(ValidateName("c0.incus.").ok());
  EXPECT_FALSE(ValidateName("a..incus").ok());
  EXPECT_FALSE(ValidateName("C0.incus").ok());
  auto s = ValidateName("ok.bad_label.incus");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("bad_label"), std::string::npos) << s.error().message;

  std::string name;
  while (name.size() < 250) name += "abcdefghi.";
  name += "incus";  // 255 characters
  s = ValidateName(name);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("253"), std::string::npos) << s.error().message;
}

TEST(SplitLabels, SplitsOnDots) {
  EXPECT_EQ(SplitLabels("a.b.incus"), (std::vector<std::string>{"a", "b", "incus"}));
  EXPECT_EQ(SplitLabels("incus"), (std::vector<std::string>{"incus"}));
  EXPECT_TRUE(SplitLabels("").empty());
}

TEST(IsAtOrUnder, LabelBoundaries) {
  EXPECT_TRUE(IsAtOrUnder("c0.incus", "c0.incus"));
  EXPECT_TRUE(IsAtOrUnder("c0-2.c0.incus", "c0.incus"));
  EXPECT_TRUE(IsAtOrUnder("a.b.c0.incus", "c0.incus"));
  EXPECT_FALSE(IsAtOrUnder("xc0.incus", "c0.incus"));
  EXPECT_FALSE(IsAtOrUnder("c0.incus", "c0-2.c0.incus"));
  EXPECT_FALSE(IsAtOrUnder("c1.incus", "c0.incus"));
  EXPECT_FALSE(IsAtOrUnder(".c0.incus", "x.c0.incus"));
}

TEST(QuoteUntrusted, EscapesAndCaps) {
  EXPECT_EQ(QuoteUntrusted("c0.incus"), "\"c0.incus\"");
  EXPECT_EQ(QuoteUntrusted(std::string("a\0b\n\"\\\xff", 7)), "\"a\\x00b\\x0a\\\"\\\\\\xff\"");
  std::string quoted = QuoteUntrusted(std::string(1000, 'x'));
  EXPECT_EQ(quoted.size(), 80u + 2u + 3u);
  EXPECT_EQ(quoted.substr(quoted.size() - 4), "...\"");
}

TEST(Reserved, HelperNames) {
  EXPECT_TRUE(IsReservedName("forest-dns.incus"));
  EXPECT_TRUE(IsReservedName("forest-ca.incus"));
  EXPECT_TRUE(IsReservedName("apt-cache.incus"));
  EXPECT_TRUE(IsReservedName("images-cache.incus"));
  EXPECT_FALSE(IsReservedName("forest-dns.c0.incus"));
  EXPECT_FALSE(IsReservedName("forest-dnsx.incus"));
  EXPECT_FALSE(IsReservedName("xforest-dns.incus"));
  EXPECT_FALSE(IsReservedName("forest-dns"));
  EXPECT_TRUE(IsReservedLabel("forest-ca"));
  EXPECT_FALSE(IsReservedLabel("c0"));
  EXPECT_EQ(ReservedHelperLabels().size(), 4u);
}

TEST(ObjectName, DesignExamples) {
  ObjectName node = Node({"c0-2-1", "c0-2", "c0"});
  EXPECT_EQ(node.Canonical(), "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(node.AliasCandidates(), (std::vector<std::string>{"c0-2-1.incus", "c0-2-1.c0-2.incus"}));

  ObjectName svc = Service({"auth", "app"}, {"c0-2-1", "c0-2", "c0"});
  EXPECT_EQ(svc.Canonical(), "auth.app.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(svc.AliasCandidates(), (std::vector<std::string>{"auth.app.incus", "auth.app.c0-2-1.incus",
                                                             "auth.app.c0-2-1.c0-2.incus"}));

  ObjectName root = Node({"c0"});
  EXPECT_EQ(root.Canonical(), "c0.incus");
  EXPECT_TRUE(root.AliasCandidates().empty());

  EXPECT_EQ(NodeCanonicalName({"c0-2", "c0"}), "c0-2.c0.incus");
}

std::vector<ObjectName> SourceChain() {
  return {Node({"c0"}), Node({"c0-2", "c0"}), Node({"c0-2-1", "c0-2", "c0"}),
          Service({"fasthtml-plus-integration-test"}, {"c0-2-1", "c0-2", "c0"}),
          Service({"auth", "fasthtml-plus-integration-test"}, {"c0-2-1", "c0-2", "c0"})};
}

TEST(ComputeAliases, SourceChainPublishesEveryCandidate) {
  AliasTable t = ComputeAliases(SourceChain());
  EXPECT_EQ(t.alias_to_canonical.at("c0-2.incus"), "c0-2.c0.incus");
  EXPECT_EQ(t.alias_to_canonical.at("c0-2-1.incus"), "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(t.alias_to_canonical.at("c0-2-1.c0-2.incus"), "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(t.alias_to_canonical.at("auth.fasthtml-plus-integration-test.incus"),
            "auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(t.aliases_of.at("c0-2-1.c0-2.c0.incus"),
            (std::vector<std::string>{"c0-2-1.incus", "c0-2-1.c0-2.incus"}));
  EXPECT_EQ(t.aliases_of.at("fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus"),
            (std::vector<std::string>{"fasthtml-plus-integration-test.incus",
                                      "fasthtml-plus-integration-test.c0-2-1.incus",
                                      "fasthtml-plus-integration-test.c0-2-1.c0-2.incus"}));
  EXPECT_EQ(t.aliases_of.count("c0.incus"), 0u);  // a root has none
  EXPECT_EQ(t.alias_to_canonical.size(), 2u + 1u + 3u + 3u);
}

TEST(ComputeAliases, SecondNodeWithSameLabelRemovesTheShortAlias) {
  auto objects = SourceChain();
  objects.push_back(Node({"c0-3", "c0"}));
  objects.push_back(Node({"c0-2-1", "c0-3", "c0"}));  // another c0-2-1, elsewhere
  AliasTable t = ComputeAliases(objects);
  EXPECT_EQ(t.alias_to_canonical.count("c0-2-1.incus"), 0u);
  // The longer candidates still tell them apart.
  EXPECT_EQ(t.alias_to_canonical.at("c0-2-1.c0-2.incus"), "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(t.alias_to_canonical.at("c0-2-1.c0-3.incus"), "c0-2-1.c0-3.c0.incus");
  // Canonical names are not aliases and are never affected.
  EXPECT_EQ(t.alias_to_canonical.count("c0-2-1.c0-2.c0.incus"), 0u);
  EXPECT_EQ(t.alias_to_canonical.count("c0-2-1.c0-3.c0.incus"), 0u);
}

TEST(ComputeAliases, CanonicalBeatsAlias) {
  // A second root called c0-2 owns c0-2.incus canonically.
  auto objects = SourceChain();
  objects.push_back(Node({"c0-2"}));
  AliasTable t = ComputeAliases(objects);
  EXPECT_EQ(t.alias_to_canonical.count("c0-2.incus"), 0u);
  EXPECT_EQ(t.aliases_of.count("c0-2.c0.incus"), 0u);
  EXPECT_EQ(t.alias_to_canonical.at("c0-2-1.incus"), "c0-2-1.c0-2.c0.incus");
}

TEST(ComputeAliases, ReservedNamesAreNeverAliased) {
  std::vector<ObjectName> objects = {Node({"c0"}), Node({"forest-dns", "c0"}), Node({"apt-cache", "c0"}),
                                     Service({"forest-ca"}, {"c0"}), Service({"images-cache"}, {"c0"})};
  AliasTable t = ComputeAliases(objects);
  EXPECT_TRUE(t.alias_to_canonical.empty());
  // Reserved helper objects themselves (empty chain) block as canonical names.
  objects = {Node({"c0"}), Node({"forest-dns"}), Node({"web", "c0"})};
  t = ComputeAliases(objects);
  EXPECT_EQ(t.alias_to_canonical.size(), 1u);
  EXPECT_EQ(t.alias_to_canonical.at("web.incus"), "web.c0.incus");
}

TEST(ComputeAliases, DuplicateObjectsCountOnce) {
  auto objects = SourceChain();
  auto twice = objects;
  twice.insert(twice.end(), objects.begin(), objects.end());
  AliasTable a = ComputeAliases(objects);
  AliasTable b = ComputeAliases(twice);
  EXPECT_EQ(a.alias_to_canonical, b.alias_to_canonical);
  EXPECT_EQ(a.aliases_of, b.aliases_of);
}

TEST(ComputeAliases, ServiceAndNodeClaimingTheSameCandidateBothLose) {
  // Service "c0-5" on c0-2 and node "c0-5" under c0-3 both want c0-5.incus.
  std::vector<ObjectName> objects = {Node({"c0"}), Node({"c0-2", "c0"}), Node({"c0-3", "c0"}),
                                     Service({"c0-5"}, {"c0-2", "c0"}), Node({"c0-5", "c0-3", "c0"})};
  AliasTable t = ComputeAliases(objects);
  EXPECT_EQ(t.alias_to_canonical.count("c0-5.incus"), 0u);
  EXPECT_EQ(t.alias_to_canonical.at("c0-5.c0-2.incus"), "c0-5.c0-2.c0.incus");
}

// Random forests of nodes and services with a small label alphabet, so that
// collisions happen often.
std::vector<ObjectName> RandomForest(std::mt19937& rng) {
  static const std::vector<std::string> kLabels = {"a",  "b",    "c",          "web",
                                                   "db", "auth", "forest-dns", "apt-cache"};
  auto label = [&] { return kLabels[std::uniform_int_distribution<size_t>(0, kLabels.size() - 1)(rng)]; };
  std::vector<ObjectName> objects;
  std::vector<std::vector<std::string>> nodes;  // self then ancestors
  int roots = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int r = 0; r < roots; ++r) nodes.push_back({"r" + std::to_string(r)});
  int count = std::uniform_int_distribution<int>(0, 40)(rng);
  for (int i = 0; i < count; ++i) {
    const auto& parent = nodes[std::uniform_int_distribution<size_t>(0, nodes.size() - 1)(rng)];
    if (parent.size() < 5 && rng() % 2 == 0) {
      std::vector<std::string> child = {label()};
      child.insert(child.end(), parent.begin(), parent.end());
      nodes.push_back(child);
    } else {
      std::vector<std::string> path = {label()};
      if (rng() % 3 == 0) path.insert(path.begin(), label());
      objects.push_back(Service(path, parent));
    }
  }
  for (const auto& n : nodes) objects.push_back(Node(n));
  if (rng() % 2 == 0) objects.push_back(Node({"forest-ca"}));
  return objects;
}

TEST(ComputeAliases, PropertyUnambiguousAndOrderIndependent) {
  std::mt19937 rng(20240611);
  for (int iter = 0; iter < 500; ++iter) {
    auto objects = RandomForest(rng);
    AliasTable t = ComputeAliases(objects);

    std::set<std::string> canonicals;
    std::map<std::string, std::set<std::string>> claimants;  // candidate → canonical names claiming it
    for (const auto& o : objects) {
      canonicals.insert(o.Canonical());
      for (const auto& c : o.AliasCandidates()) claimants[c].insert(o.Canonical());
    }
    for (const auto& [alias, canonical] : t.alias_to_canonical) {
      EXPECT_EQ(canonicals.count(alias), 0u) << alias;
      EXPECT_FALSE(IsReservedName(alias)) << alias;
      ASSERT_EQ(claimants[alias].size(), 1u) << alias;
      EXPECT_EQ(*claimants[alias].begin(), canonical) << alias;
      const auto& back = t.aliases_of.at(canonical);
      EXPECT_NE(std::find(back.begin(), back.end(), alias), back.end());
    }
    // Completeness: every unambiguous candidate is published.
    for (const auto& [candidate, owners] : claimants) {
      bool expected = owners.size() == 1 && canonicals.count(candidate) == 0 && !IsReservedName(candidate);
      EXPECT_EQ(t.alias_to_canonical.count(candidate), expected ? 1u : 0u) << candidate;
    }
    size_t listed = 0;
    for (const auto& [canonical, aliases] : t.aliases_of) {
      listed += aliases.size();
      EXPECT_TRUE(std::is_sorted(aliases.begin(), aliases.end(),
                                 [](const auto& a, const auto& b) { return a.size() < b.size(); }));
    }
    EXPECT_EQ(listed, t.alias_to_canonical.size());

    auto shuffled = objects;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    AliasTable u = ComputeAliases(shuffled);
    EXPECT_EQ(t.alias_to_canonical, u.alias_to_canonical);
    EXPECT_EQ(t.aliases_of, u.aliases_of);
  }
}

TEST(FoldName, LowerCaseWithoutTheTrailingDot) {
  EXPECT_EQ(FoldName("App.C0-2.INCUS."), "app.c0-2.incus");
  EXPECT_EQ(FoldName("x.incus"), "x.incus");
  EXPECT_EQ(FoldName("."), "");
  EXPECT_EQ(FoldName(""), "");
}

}  // namespace
}  // namespace forest::naming

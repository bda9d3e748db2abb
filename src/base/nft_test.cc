#include "base/nft.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/fake_process.h"

namespace forest {
namespace {

TEST(NftTest, LoadFeedsTheRulesetOnStdin) {
  FakeProcessRunner fake;
  Nft nft(fake);
  ASSERT_TRUE(nft.Load("table inet t {}\n", "test").ok());
  ASSERT_EQ(fake.calls().size(), 1u);
  EXPECT_EQ(fake.Lines()[0], "nft -f /dev/stdin");
  EXPECT_EQ(fake.calls()[0].stdin_text, "table inet t {}\n");
}

TEST(NftTest, LoadFailureCarriesNftsWords) {
  FakeProcessRunner fake;
  fake.On({"nft", "-f"}, 1, "", "Error: syntax error\n");
  Nft nft(fake);
  auto s = nft.LoadFile("/run/x.nft");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "nft -f /run/x.nft: Error: syntax error\n");
  auto t = nft.Load("junk", "sweep");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, "nft -f (sweep): Error: syntax error\n");
}

TEST(NftTest, DeleteTableSaysWhetherItWent) {
  FakeProcessRunner fake;
  fake.On({"nft", "delete", "table", "inet", "gone"}, 1, "", "No such file or directory");
  Nft nft(fake);
  EXPECT_TRUE(*nft.DeleteTable("inet", "present"));
  EXPECT_FALSE(*nft.DeleteTable("inet", "gone"));
}

TEST(NftTest, ListParsesJsonAndRunsThroughThePrefix) {
  FakeProcessRunner fake;
  fake.On({"ip", "netns", "exec", "n1", "nft", "-j", "list", "ruleset"}, 0, R"({"nftables":[]})");
  fake.On({"ip", "netns", "exec", "n1", "nft", "-j", "list", "table"}, 0, "not json");
  Nft nft(fake, {"ip", "netns", "exec", "n1"});
  auto all = nft.ListRuleset();
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_TRUE((*all)["nftables"].is_array());
  auto one = nft.ListTable("inet", "x");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().message, "`nft -j list table inet x` printed no JSON");
}

TEST(NftTest, ListFailureNamesTheExit) {
  FakeProcessRunner fake;
  fake.On({"nft"}, 2);
  Nft nft(fake);
  auto r = nft.ListRuleset();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "`nft -j list ruleset` failed (exit 2)");
}

// The real nft, in a network namespace this test makes (root only).
class NftNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "a network namespace and nft need root";
    ns_ = "forest-nft-test-" + std::to_string(getpid());
    auto r = SystemRunner().Run({.argv = {"ip", "netns", "add", ns_}});
    if (!r.ok() || !r->ok()) GTEST_SKIP() << "cannot make a network namespace here (ip netns add)";
    made_ = true;
    auto probe = SystemRunner().Run({.argv = {"ip", "netns", "exec", ns_, "nft", "list", "ruleset"}});
    if (!probe.ok() || !probe->ok()) GTEST_SKIP() << "nft does not run in a new network namespace here";
  }
  void TearDown() override {
    if (made_) (void)SystemRunner().Run({.argv = {"ip", "netns", "delete", ns_}});
  }
  std::string ns_;
  bool made_ = false;
};

TEST_F(NftNetnsTest, LoadListDelete) {
  Nft nft(SystemRunner(), {"ip", "netns", "exec", ns_});
  ASSERT_TRUE(nft.Load("table inet forest_t {\n  chain forward {\n    type filter hook forward priority -10; "
                       "policy accept;\n    oifname \"eth9\" drop\n  }\n}\n",
                       "test")
                  .ok());
  EXPECT_TRUE(*nft.HasTable("inet", "forest_t"));
  auto table = nft.ListTable("inet", "forest_t");
  ASSERT_TRUE(table.ok()) << table.error().message;
  bool saw_chain = false;
  for (const auto& item : (*table)["nftables"]) {
    if (item.contains("chain") && item["chain"].value("name", "") == "forward") saw_chain = true;
  }
  EXPECT_TRUE(saw_chain) << table->dump();
  auto bad = nft.Load("table inet forest_t { nonsense }\n", "test");
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(*nft.DeleteTable("inet", "forest_t"));
  EXPECT_FALSE(*nft.DeleteTable("inet", "forest_t"));
  EXPECT_FALSE(*nft.HasTable("inet", "forest_t"));
  auto all = nft.ListRuleset();
  ASSERT_TRUE(all.ok());
}

}  // namespace
}  // namespace forest

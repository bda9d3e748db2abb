#include "parent/child_exports.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"

namespace forest::parent {
namespace {

namespace fs = std::filesystem;

net::Ipv6Address Six(const char* s) { return *net::Ipv6Address::Parse(s); }

std::map<std::string, registration::Delegation> OneChild() {
  return {{"c0-2-1",
           {"c0-2-1", "c0-2-1.c0-2.c0.incus", *net::Ipv6Prefix::Parse("fd00:1110::/28"),
            Six("fd00:1100:0:1::1")}}};
}

registration::Export Export(const char* name, const char* address, const char* source = "c0-2-1") {
  registration::Export e;
  e.source_node = source;
  e.records = {{"c0-2-1.c0-2.c0.incus", Six("fd00:1110::1")}, {name, Six(address)}};
  e.route = {*net::Ipv6Prefix::Parse("fd00:1110::/28"), Six("fd00:1100:0:1::1"), true, "eth0"};
  return e;
}

class ChildExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("forest-child-exports-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string File(const char* label) const { return dir_ + "/" + label + ".json"; }
  std::string dir_;
};

TEST_F(ChildExportsTest, AValidExportIsKeptAndSavedOnlyWhenItChanged) {
  ChildExports c(OneChild(), dir_);
  auto first = c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->changed);
  EXPECT_TRUE(first->saved.ok());
  auto saved = ReadFile(File("c0-2-1"));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(*saved, registration::Serialize(c.last_good().at("c0-2-1")));
  // The same export again (as text this time): no change, nothing written.
  fs::remove(File("c0-2-1"));
  auto again =
      c.Offer("c0-2-1", registration::Serialize(Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->changed);
  EXPECT_FALSE(fs::exists(File("c0-2-1")));
}

TEST_F(ChildExportsTest, ARefusedExportLeavesTheLastGoodOne) {
  ChildExports c(OneChild(), dir_);
  ASSERT_TRUE(c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")).ok());
  std::string good = *ReadFile(File("c0-2-1"));
  struct Case {
    Result<ChildExports::Offered> got;
    const char* why;
  };
  std::vector<Case> cases;
  cases.push_back({c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1000::66")), "outside"});
  cases.push_back({c.Offer("c0-2-1", Export("c0-2.c0.incus", "fd00:1110::26")), "c0-2.c0.incus"});
  cases.push_back(
      {c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25", "c0-3")), "source_node"});
  cases.push_back({c.Offer("c0-2-1", std::string_view("{not json")), ""});
  cases.push_back({c.Offer("stranger", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")), "not a child"});
  for (const auto& k : cases) {
    ASSERT_FALSE(k.got.ok()) << k.why;
    EXPECT_NE(k.got.error().message.find(k.why), std::string::npos) << k.got.error().message;
  }
  ASSERT_EQ(c.last_good().size(), 1u);
  EXPECT_EQ(c.last_good().at("c0-2-1").records[0].address, Six("fd00:1110::25"));  // app.… sorts first
  EXPECT_EQ(*ReadFile(File("c0-2-1")), good);
}

TEST_F(ChildExportsTest, LoadChecksEverySavedExportAgain) {
  {
    ChildExports c(OneChild(), dir_);
    ASSERT_TRUE(c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")).ok());
  }
  // A child the plan no longer has, a forged file, and a writer's leftover.
  ASSERT_TRUE(
      WriteFileAtomic(File("gone"), registration::Serialize(Export("a.c0-2-1.c0-2.c0.incus", "fd00:1110::3")))
          .ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/.c0-2-1.json.tmp.abc123", "{").ok());
  ChildExports c(OneChild(), dir_);
  auto loaded = c.Load();
  EXPECT_EQ(loaded.labels, std::vector<std::string>{"c0-2-1"});
  ASSERT_EQ(loaded.log.size(), 1u);
  EXPECT_NE(loaded.log[0].find(File("gone") + ": ignored and removed"), std::string::npos) << loaded.log[0];
  EXPECT_FALSE(fs::exists(File("gone")));
  EXPECT_EQ(c.last_good().count("c0-2-1"), 1u);
  // What was loaded counts as the last good one: offering it again changes nothing.
  EXPECT_FALSE(c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))->changed);
}

TEST_F(ChildExportsTest, DropForgetsTheExportAndItsFile) {
  ChildExports c(OneChild(), dir_);
  EXPECT_FALSE(c.Drop("c0-2-1"));  // none yet
  ASSERT_TRUE(c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")).ok());
  EXPECT_TRUE(c.Drop("c0-2-1"));
  EXPECT_TRUE(c.last_good().empty());
  EXPECT_FALSE(fs::exists(File("c0-2-1")));
  EXPECT_TRUE(c.Load().labels.empty());
}

TEST_F(ChildExportsTest, WithoutADirectoryNothingTouchesTheDisk) {
  ChildExports c(OneChild());
  auto got = c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->changed);
  EXPECT_TRUE(c.Load().labels.empty());
  EXPECT_TRUE(c.Drop("c0-2-1"));
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(ChildExportsTest, ASaveThatFailsKeepsTheExportInMemory) {
  ASSERT_TRUE(WriteFileAtomic(dir_, "a file where the directory should be").ok());
  ChildExports c(OneChild(), dir_);
  auto got = c.Offer("c0-2-1", Export("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->changed);
  EXPECT_FALSE(got->saved.ok());
  EXPECT_EQ(c.last_good().size(), 1u);
  fs::remove(dir_);
}

}  // namespace
}  // namespace forest::parent

// The pool a level asks for, against a scripted Incus and the fake process
// runner (the real paths: tests/forest_up_test.sh, tests/forest_storage_test.sh).
#include "up/storage.h"

#include <gtest/gtest.h>

#include "base/fake_process.h"
#include "incus/fake_transport.h"
#include "up/host.h"

namespace forest::up {
namespace {

using incus::FakeTransport;

struct Fixture {
  topology::Topology t = topology::Defaults();
  plan::Plan plan;
  Options o;
  FakeProcessRunner run;
  std::shared_ptr<FakeTransport> incus = std::make_shared<FakeTransport>();
  incus::Client c{incus};
  std::vector<std::string> said;
  Level l{c, t, plan, o, run};
  Fixture() {
    t.name = "t";
    o.progress = [this](const std::string& s) { said.push_back(s); };
    o.settle = std::chrono::milliseconds(0);
  }
  std::string PoolPath() const { return "/1.0/storage-pools/" + t.host.storage_pool; }
};

TEST(Storage, HostPoolIsABtrfsLoopFileByDefault) {
  topology::StorageConfig s;
  PoolRequest p = HostPoolRequest(s);
  EXPECT_EQ(p.driver, "btrfs");
  EXPECT_TRUE(p.config.empty());
  EXPECT_EQ(p.Describe(), "btrfs, loop file");
  s.size = "40GiB";
  EXPECT_EQ(HostPoolRequest(s).config, (incus::StringMap{{"size", "40GiB"}}));
  EXPECT_EQ(HostPoolRequest(s).Describe(), "btrfs, loop file 40GiB");
  s.source = "/dev/vdb";
  EXPECT_EQ(HostPoolRequest(s).config, (incus::StringMap{{"source", "/dev/vdb"}}));  // no size for a device
  EXPECT_EQ(HostPoolRequest(s).Describe(), "btrfs on /dev/vdb");
  s = {};
  s.driver = "dir";
  s.size = "9GiB";
  EXPECT_EQ(HostPoolRequest(s).config, incus::StringMap{});
  EXPECT_EQ(HostPoolRequest(s).Describe(), "dir");
}

TEST(Storage, NodePoolFollowsItsFilesystem) {
  PoolRequest b = NodePoolRequest("default", "btrfs");
  EXPECT_EQ(b.driver, "btrfs");
  EXPECT_EQ(b.config, (incus::StringMap{{"source", "/var/lib/incus/storage-pools/default"}}));
  EXPECT_EQ(NodePoolRequest("default", "ext2/ext3").driver, "dir");
  EXPECT_EQ(NodePoolRequest("default", "").driver, "dir");
}

TEST(Storage, MadeOnlyWhenMissing) {
  Fixture f;
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(f.l, false).ok());
  auto posts = f.incus->CallsTo("POST", "/1.0/storage-pools");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].json()["driver"], "btrfs");
  EXPECT_EQ(posts[0].json()["description"], MadeBy(f.t, "storage pool"));
  EXPECT_EQ(f.l.changes, 1);
  EXPECT_EQ(f.said.back(), "created storage pool default (btrfs, loop file)");

  // An existing pool is used as it is, whatever its driver.
  Fixture g;
  g.incus->On("GET", g.PoolPath(), FakeTransport::Sync({{"driver", "dir"}}));
  ASSERT_TRUE(EnsureStoragePool(g.l, false).ok());
  EXPECT_EQ(g.incus->calls.size(), 1u);
  EXPECT_EQ(g.l.changes, 0);
}

TEST(Storage, BtrfsThatCannotBeHadFallsBackToDirAndSaysSo) {
  Fixture f;
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Failure(500, "btrfs is not supported"));
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(f.l, false).ok());
  auto posts = f.incus->CallsTo("POST", "/1.0/storage-pools");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].json()["driver"], "dir");
  ASSERT_GE(f.said.size(), 2u);
  EXPECT_NE(f.said[0].find("btrfs is not supported; using dir instead"), std::string::npos) << f.said[0];
  EXPECT_EQ(f.said.back(), "created storage pool default (dir)");
}

TEST(Storage, AFailedCreateLeftBehindIsDeletedBeforeTheFallback) {
  Fixture f;
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Failure(500, "mkfs.btrfs failed"));
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  f.incus->On("GET", f.PoolPath(), FakeTransport::Failure(404, "not found"));
  f.incus->On("GET", f.PoolPath(), FakeTransport::Sync({{"status", "Errored"}}));
  f.incus->On("DELETE", f.PoolPath(), FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(f.l, false).ok());
  EXPECT_EQ(f.incus->CallsTo("DELETE", f.PoolPath()).size(), 1u);
}

TEST(Storage, OurPoolLeftPendingByAKilledUpIsMadeAgain) {
  Fixture f;
  f.incus->On("GET", f.PoolPath(),
              FakeTransport::Sync({{"status", "Pending"}, {"description", MadeBy(f.t, "storage pool")}}));
  f.incus->On("DELETE", f.PoolPath(), FakeTransport::Sync({}));
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(f.l, false).ok());
  EXPECT_EQ(f.incus->CallsTo("DELETE", f.PoolPath()).size(), 1u);
  EXPECT_EQ(f.incus->CallsTo("POST", "/1.0/storage-pools").size(), 1u);
  EXPECT_EQ(f.said.front(),
            "storage pool default: its last create did not finish (Pending); making it again");

  // Someone else's is left alone, with what to do.
  Fixture g;
  g.incus->On("GET", g.PoolPath(), FakeTransport::Sync({{"status", "Errored"}, {"description", "mine"}}));
  auto s = EnsureStoragePool(g.l, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("forest did not make it"), std::string::npos) << s.error().message;
  EXPECT_TRUE(g.incus->CallsTo("DELETE", g.PoolPath()).empty());
}

TEST(Storage, ANamedDriverDoesNotFallBack) {
  Fixture f;
  f.t.host.storage.driver_set = true;
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Failure(500, "btrfs is not supported"));
  auto s = EnsureStoragePool(f.l, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("set host.storage.driver: dir"), std::string::npos) << s.error().message;
  EXPECT_EQ(f.incus->CallsTo("POST", "/1.0/storage-pools").size(), 1u);
}

TEST(Storage, ANodeAsksItsFilesystem) {
  Fixture f;
  f.run.On({"stat", "-f"}, 0, "btrfs\n");
  f.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(f.l, true).ok());
  EXPECT_EQ(f.run.Lines(), (std::vector<std::string>{"stat -f -c %T /var/lib/incus"}));
  auto posts = f.incus->CallsTo("POST", "/1.0/storage-pools");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].json()["driver"], "btrfs");
  EXPECT_EQ(posts[0].json()["config"]["source"], "/var/lib/incus/storage-pools/default");

  Fixture d;
  d.run.On({"stat", "-f"}, 0, "ext2/ext3\n");
  d.incus->On("POST", "/1.0/storage-pools", FakeTransport::Sync({}));
  ASSERT_TRUE(EnsureStoragePool(d.l, true).ok());
  EXPECT_EQ(d.incus->CallsTo("POST", "/1.0/storage-pools")[0].json()["driver"], "dir");
}

}  // namespace
}  // namespace forest::up

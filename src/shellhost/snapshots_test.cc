#include "shellhost/snapshots.h"

#include <gtest/gtest.h>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using incus::FakeTransport;

TEST(ShellhostSnapshots, ListTakeRestore) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  incus->On(
      "GET", "/1.0/instances/j/snapshots",
      FakeTransport::Sync(nlohmann::json::array({{{"name", "s1"}, {"created_at", "2026-12-03T10:00:00Z"}}})));
  auto list = ListSnapshots(s, "j");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "s1");
  EXPECT_EQ((*list)[0].created, "2026-12-03T10:00:00Z");
  EXPECT_EQ(incus->calls[0].target, "/1.0/instances/j/snapshots?recursion=1&project=forest-shell");

  incus->On("POST", "/1.0/instances/j/snapshots", FakeTransport::Sync({}));
  ASSERT_TRUE(TakeSnapshot(s, "j", "before").ok());
  auto post = incus->CallsTo("POST", "/1.0/instances/j/snapshots");
  ASSERT_EQ(post.size(), 1u);
  EXPECT_EQ(post[0].json(), (nlohmann::json{{"name", "before"}, {"stateful", false}}));

  auto bad = RestoreSnapshot(s, "j", "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("restore j: ", 0), 0u) << bad.error().message;
  incus->On("PUT", "/1.0/instances/j", FakeTransport::Sync({}));
  ASSERT_TRUE(RestoreSnapshot(s, "j", "before").ok());
  EXPECT_EQ(incus->CallsTo("PUT", "/1.0/instances/j").back().json(), (nlohmann::json{{"restore", "before"}}));
}

}  // namespace
}  // namespace forest::shellhost

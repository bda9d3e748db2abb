#include "shellhost/ports.h"

#include <gtest/gtest.h>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using incus::FakeTransport;

TEST(ShellhostPorts, ParsesHostAndJailPorts) {
  auto both = ParsePorts("8080:3000");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->host, "8080");
  EXPECT_EQ(both->jail, "3000");
  auto one = ParsePorts("443");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->jail, "443");
  for (const char* bad : {"", "0", "65536", "80:", ":80", "x:1", "123456", "8080:3000:1"}) {
    auto r = ParsePorts(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("expected HOSTPORT[:JAILPORT]"), std::string::npos);
  }
}

TEST(ShellhostPorts, ProxyDevice) {
  EXPECT_EQ(ListenAddress("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(ListenAddress("::"), "[::]");
  EXPECT_EQ(
      PortDevice("::1", {"8080", "3000"}),
      (nlohmann::json{{"type", "proxy"}, {"listen", "tcp:[::1]:8080"}, {"connect", "tcp:127.0.0.1:3000"}}));
}

TEST(ShellhostPorts, PublishListRemoveAgainstIncus) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  incus->On("PATCH", "/1.0/instances/j", FakeTransport::Sync({}));
  ASSERT_TRUE(PublishPort(s, "j", "0.0.0.0", {"8080", "3000"}).ok());
  auto patch = incus->CallsTo("PATCH", "/1.0/instances/j");
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0].target, "/1.0/instances/j?project=forest-shell");
  EXPECT_EQ(patch[0].json()["devices"]["forest-port-8080"]["listen"], "tcp:0.0.0.0:8080");

  incus->On("GET", "/1.0/instances/j",
            FakeTransport::Sync(
                {{"name", "j"},
                 {"devices",
                  {{"forest-port-8080",
                    {{"type", "proxy"}, {"listen", "tcp:0.0.0.0:8080"}, {"connect", "tcp:127.0.0.1:3000"}}},
                   {"root", {{"type", "disk"}}}}}}));
  auto list = ListPorts(s, "j");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].device, "forest-port-8080");
  EXPECT_EQ((*list)[0].connect, "tcp:127.0.0.1:3000");

  auto missing = UnpublishPort(s, "j", "9090");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("`forest shell ports list j`"), std::string::npos);
  EXPECT_TRUE(incus->CallsTo("PUT", "/1.0/instances/j").empty());
  incus->On("PUT", "/1.0/instances/j", FakeTransport::Sync({}));
  ASSERT_TRUE(UnpublishPort(s, "j", "8080").ok());
  auto put = incus->CallsTo("PUT", "/1.0/instances/j");
  ASSERT_EQ(put.size(), 1u);
  EXPECT_FALSE(put[0].json()["devices"].contains("forest-port-8080"));
  EXPECT_TRUE(put[0].json()["devices"].contains("root"));

  EXPECT_NE(ListPorts(s, "gone").error().message.find("gone is not in Incus"), std::string::npos);
}

}  // namespace
}  // namespace forest::shellhost

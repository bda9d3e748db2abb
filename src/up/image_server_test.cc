#include "up/image_server.h"

#include <gtest/gtest.h>

namespace forest::up {
namespace {

net::Ipv6Address A(const char* s) { return *net::Ipv6Address::Parse(s); }

TEST(ImageServer, UnsetListensOnTheBridge) {
  auto s = ImageServerFor("", A("fd00:5e11::1"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->set, "[fd00:5e11::1]:8443");
  EXPECT_EQ(s->Url(), "https://[fd00:5e11::1]:8443");
}

TEST(ImageServer, AnotherForestsBridgeIsUsedAsItIs) {
  // The case of two forests: the first set its bridge; the second pulls from it.
  auto s = ImageServerFor("[fd00:f00d::1]:8443", A("fd00:5e11::1"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->set, "");
  EXPECT_EQ(s->Url(), "https://[fd00:f00d::1]:8443");
  EXPECT_EQ(ImageServerFor("fd00:f00d::1", A("fd00:5e11::1"))->Url(), "https://[fd00:f00d::1]:8443");
  EXPECT_EQ(ImageServerFor("[fd00:f00d::1]", A("fd00:5e11::1"))->port, 8443);
}

TEST(ImageServer, WildcardsUseTheBridgeAndTheirPort) {
  for (const char* have : {"[::]:9443", ":9443", "0.0.0.0:9443"}) {
    auto s = ImageServerFor(have, A("fd00:5e11::1"));
    ASSERT_TRUE(s.ok()) << have;
    EXPECT_EQ(s->set, "") << have;
    EXPECT_EQ(s->Url(), "https://[fd00:5e11::1]:9443") << have;
  }
  EXPECT_EQ(ImageServerFor("::", A("fd00:5e11::1"))->Url(), "https://[fd00:5e11::1]:8443");
}

TEST(ImageServer, UnreachableOrMalformedSaysWhatToSet) {
  for (const char* have : {"10.0.0.1:8443", "incus.example:8443", "[::1]:8443", "10.0.0.1"}) {
    auto s = ImageServerFor(have, A("fd00:5e11::1"));
    ASSERT_FALSE(s.ok()) << have;
    EXPECT_NE(s.error().message.find("core.https_address '[::]:8443'"), std::string::npos) << have;
  }
  for (const char* have : {"[fd00::1", "[fd00::1]x", "[fd00::1]:99999", "[fd00::1]:8a"}) {
    EXPECT_FALSE(ImageServerFor(have, A("fd00:5e11::1")).ok()) << have;
  }
}

}  // namespace
}  // namespace forest::up

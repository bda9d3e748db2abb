// /etc/forest/mkcert.json: where a node finds the forest CA.
#include "trust/ca_endpoint.h"

#include <gtest/gtest.h>

namespace forest::trust {
namespace {

TEST(CaEndpoint, RoundTripAndDefaultPort) {
  CaEndpoint e{"fd42:1:2::2", 9000, "c0-2.c0.incus"};
  auto back = ParseCaEndpoint(CaEndpointJson(e), "mkcert.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->helper, e.helper);
  EXPECT_EQ(back->port, 9000);
  EXPECT_EQ(back->node, e.node);
  auto no_port = ParseCaEndpoint(R"({"helper":"fd42::2","node":"c0.incus"})", "mkcert.json");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->port, 8053);
}

TEST(CaEndpoint, APortPast32BitsIsRefusedNotTruncated) {
  // 4294975349 = 2^32 + 8053 used to read as port 8053.
  for (const char* port : {"4294975349", "65536", "-1", "\"8053\"", "80.5"}) {
    std::string text = std::string(R"({"helper":"fd42::2","node":"c0.incus","port":)") + port + "}";
    auto r = ParseCaEndpoint(text, "mkcert.json");
    ASSERT_FALSE(r.ok()) << port;
    EXPECT_EQ(r.error().message, "mkcert.json: port: expected a TCP port number");
  }
}

TEST(CaEndpoint, ErrorsNameTheField) {
  auto r = ParseCaEndpoint(R"({"helper":1,"node":"c0.incus"})", "mkcert.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("mkcert.json: helper:"), std::string::npos);
  EXPECT_FALSE(ParseCaEndpoint("[]", "mkcert.json").ok());
}

}  // namespace
}  // namespace forest::trust

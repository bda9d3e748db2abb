#include "render/profile.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace forest::render {
namespace {

TEST(Profile, RoundTripsThroughYamlWithStringValues) {
  IncusProfile p;
  p.name = "forest-root";
  p.description = "root";
  p.config = {{"security.nesting", "true"}, {"cloud-init.user-data", "#cloud-config\nruncmd: []\n"}};
  p.devices["tun"] = {{"type", "unix-char"}, {"path", "/dev/net/tun"}};
  std::string text = ProfileYaml(p);
  YAML::Node doc = YAML::Load(text);
  EXPECT_EQ(doc["name"].as<std::string>(), "forest-root");
  // "true" must stay a string for Incus (map[string]string), so it is quoted.
  EXPECT_NE(text.find("security.nesting: \"true\""), std::string::npos) << text;
  EXPECT_EQ(doc["config"]["cloud-init.user-data"].as<std::string>(), "#cloud-config\nruncmd: []\n");
  EXPECT_EQ(doc["devices"]["tun"]["path"].as<std::string>(), "/dev/net/tun");
  EXPECT_EQ(text, ProfileYaml(p));
}

TEST(Profile, EmptyMapsAreExplicit) {
  IncusProfile p;
  p.name = "x";
  YAML::Node doc = YAML::Load(ProfileYaml(p));
  EXPECT_TRUE(doc["config"].IsMap());
  EXPECT_TRUE(doc["devices"].IsMap());
}

}  // namespace
}  // namespace forest::render

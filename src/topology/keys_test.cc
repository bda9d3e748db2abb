// The key reference is rendered from the same table the parser reads with,
// and docs/topology.md carries it verbatim.
#include <gtest/gtest.h>
#include "test_paths.h"

#include <cstdlib>

#include "base/files.h"
#include "topology/topology.h"

namespace forest::topology {
namespace {

constexpr std::string_view kBegin = "<!-- keys:begin -->\n";
constexpr std::string_view kEnd = "<!-- keys:end -->";

TEST(KeysReference, RendersDefaultsFromDefaults) {
  std::string ref = KeysReference();
  for (const char* row : {
           "| `version` | integer | required | Schema version; must be 1. |",
           "| `bridge` | interface name | `forestbr0` |",
           "| `ipv6` | IPv6 address/64 | `fd00:f00d::1/64` |",
           "| `ipv4` | IPv4 address/length | `10.203.0.1/24` |",
           "| `uplink_range` | IPv6 prefix, /64 | `fd00:f00d:0:1::/64` |",
           "| `storage_pool` | string | `default` |",
           "| `name` | label | `forest-helper` |",
           "| `address` | IPv6 address | `fd00:f00d::53` |",
           "| `cache` | boolean | `false` |",
           "| `cache_address` | IPv6 address | `fd00:f00d::3142` |",
           "| `nat64_prefix` | IPv6 prefix, /96 | `64:ff9b::/96` |",
           "| `prefix` | IPv6 prefix | the first free /20 from `fd00:1000::/20` | Roots only. ",
           "| `edge` | boolean | `true` | Roots only. ",
           "| `readonly` | boolean | `true` |",
           "| `image` | string | `forest-workload` |",
       }) {
    EXPECT_NE(ref.find(row), std::string::npos) << row;
  }
  EXPECT_EQ(ref.substr(0, 14), "### Top level\n");
  EXPECT_EQ(ref.back(), '\n');
  EXPECT_NE(ref.substr(ref.size() - 2), "\n\n");
}

// Set FOREST_UPDATE_DOCS=1 to rewrite the generated part of docs/topology.md.
TEST(KeysReference, DocsCarryTheGeneratedReference) {
  std::string path = std::string(FOREST_SOURCE_DIR) + "/docs/topology.md";
  auto doc = ReadFile(path);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  size_t begin = doc->find(kBegin);
  size_t end = doc->find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "no " << kBegin << " in " << path;
  ASSERT_NE(end, std::string::npos) << "no " << kEnd << " in " << path;
  ASSERT_LT(begin, end);
  begin += kBegin.size();
  std::string expected = KeysReference();
  const char* update = std::getenv("FOREST_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::string updated = doc->substr(0, begin) + expected + doc->substr(end);
    ASSERT_TRUE(WriteFileAtomic(path, updated).ok());
    return;
  }
  EXPECT_EQ(doc->substr(begin, end - begin), expected)
      << "docs/topology.md is stale; run the test with FOREST_UPDATE_DOCS=1";
}

TEST(KeysReference, DocsExampleParses) {
  auto doc = ReadFile(std::string(FOREST_SOURCE_DIR) + "/docs/topology.md");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  size_t begin = doc->find("```yaml\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  size_t end = doc->find("```", begin);
  ASSERT_NE(end, std::string::npos);
  auto t = Parse(doc->substr(begin, end - begin), "topology.md");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->roots.at(0).children.at(0).workloads.at(0).services, std::vector<std::string>{"auth"});
}

}  // namespace
}  // namespace forest::topology

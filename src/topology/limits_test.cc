// Hostile input: size, depth, node count, alias bombs and cycles, bytes that
// are not text. Each is refused with a clear error, never a crash.
#include <gtest/gtest.h>

#include "topology/topology.h"

namespace forest::topology {
namespace {

std::string ErrorOf(std::string_view text) {
  auto t = Parse(text, "t.yaml");
  return t.ok() ? "ok" : t.error().message;
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Limits, InputSize) {
  std::string big = "version: 1\nroots: [{name: c0}]\n" + std::string(kMaxInputBytes, '#');
  EXPECT_EQ(ErrorOf(big), "t.yaml: the file is 1048607 bytes; a topology is at most 1048576 bytes (1 MiB)");
}

TEST(Limits, DeepFlowNestingIsRefusedByTheYamlParser) {
  std::string message = ErrorOf("version: 1\nroots: " + Repeat("[", 200000));
  EXPECT_NE(message.find("t.yaml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("nesting: the YAML nests deeper than"), std::string::npos) << message;
  message = ErrorOf("version: 1\nroots: " + Repeat("{a: ", 200000));
  EXPECT_NE(message.find("nesting: the YAML nests deeper than"), std::string::npos) << message;
}

TEST(Limits, DeepBlockNestingIsRefusedByTheYamlParser) {
  std::string message = ErrorOf("version: 1\nroots:\n" + Repeat("- ", 100000) + "x\n");
  EXPECT_NE(message.find("nesting: the YAML nests deeper than"), std::string::npos) << message;
}

TEST(Limits, NodeDepth) {
  auto nested = [](int levels) {
    std::string text = "version: 1\nroots:\n";
    for (int i = 0; i < levels; ++i) {
      text += i == 0 ? "  - name: n0\n"
                     : "  " + std::string(static_cast<size_t>(4 * i), ' ') + "- name: n" + std::to_string(i) +
                           "\n";
      if (i + 1 < levels) text += std::string(static_cast<size_t>(4 * i + 4), ' ') + "children:\n";
    }
    return text;
  };
  EXPECT_EQ(ErrorOf(nested(kMaxNodeDepth)), "ok");
  std::string message = ErrorOf(nested(kMaxNodeDepth + 1));
  EXPECT_NE(message.find(": roots" + Repeat("[0].children", kMaxNodeDepth - 1) +
                         "[0].children: nodes nest more than 32 levels deep"),
            std::string::npos)
      << message;
}

TEST(Limits, NodeCount) {
  std::string text = "version: 1\nroots:\n";
  for (int i = 0; i < 6000; ++i) text += "  - name: n" + std::to_string(i) + "\n";
  std::string message = ErrorOf(text);
  EXPECT_NE(message.find("the topology has more than 10000 YAML nodes"), std::string::npos) << message;
}

TEST(Limits, AliasBombStopsAtTheNodeBudget) {
  // Each level doubles the tree a naive walk would visit: 2^30 workloads.
  std::string text = "version: 1\nx0: &a0 [{name: w}]\n";
  for (int i = 1; i < 30; ++i) {
    text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + "]\n";
  }
  // The unknown key stops the walk first; feed the bomb where it is read.
  EXPECT_NE(ErrorOf(text + "roots: [{name: c0}]\n").find("unknown key \"x0\""), std::string::npos);
  std::string bomb = "version: 1\nroots:\n  - name: c0\n    workloads: &w0 [{name: w0}, {name: w1}]\n";
  bomb += "    children:\n";
  for (int i = 0; i < 14; ++i) {
    bomb += "      - {name: k" + std::to_string(i) + ", workloads: *w0, children: &c" + std::to_string(i) +
            " [" +
            (i == 0 ? std::string("{name: x, workloads: *w0}")
                    : "{name: x, children: *c" + std::to_string(i - 1) + "}, {name: y, children: *c" +
                          std::to_string(i - 1) + "}") +
            "]}\n";
  }
  std::string message = ErrorOf(bomb);
  EXPECT_NE(
      message.find("the topology has more than 10000 YAML nodes (aliases count each time they are used)"),
      std::string::npos)
      << message;
}

// yaml-cpp 0.7's LoadAll loops forever on these, and Load drops the tail.
TEST(Limits, StrayTokensAfterTheDocument) {
  EXPECT_EQ(
      ErrorOf(","),
      "t.yaml:1:1: YAML syntax: unexpected \",\" outside any map or list; check the indentation, quotes and "
      "brackets here");
  EXPECT_EQ(ErrorOf("# comment\n, hierarchy-aware\nversion: 1\n"),
            "t.yaml:2:1: YAML syntax: unexpected \", hierarchy-aware\" outside any map or list; check the "
            "indentation, quotes and brackets here");
  EXPECT_EQ(ErrorOf("- a\n, b\n"),
            "t.yaml:2:1: YAML syntax: unexpected \", b\" outside any map or list; check the "
            "indentation, quotes and brackets here");
}

TEST(Limits, AliasCycleStopsAtTheDepthLimit) {
  std::string message = ErrorOf("version: 1\nroots: &r [{name: c0, children: *r}]\n");
  EXPECT_NE(message.find("nodes nest more than 32 levels deep"), std::string::npos) << message;
}

TEST(Limits, ControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(
      ErrorOf("version: 1\nroots: [{name: c\x07}]\n"),
      "t.yaml:2:17: encoding: control character 0x07; a topology is UTF-8 text without control characters "
      "(tabs and line breaks are fine)");
  EXPECT_EQ(ErrorOf(std::string("version: 1\n") + '\0').substr(0, 44),
            "t.yaml:2:1: encoding: control character 0x00");
  EXPECT_EQ(ErrorOf("version: 1\nname: \xc3\x28\n").substr(0, 35), "t.yaml:2:7: encoding: invalid UTF-8");
  EXPECT_EQ(ErrorOf("\xef\xbb\xbfversion: 1\nroots: [{name: c0}]\n"), "ok");  // a BOM is fine
}

TEST(Limits, EscapedControlCharactersInValuesAreRefused) {
  EXPECT_EQ(ErrorOf("version: 1\nroots: [{name: c0, shares: [{source: \"/a\\nb\", path: /w}]}]\n"),
            "t.yaml:2:38: roots[0].shares[0].source: the value has a control character 0x0a at byte 3; use "
            "printable UTF-8 text on one line");
}

}  // namespace
}  // namespace forest::topology

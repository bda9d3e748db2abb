// Every refusal of the parser names file:line:column, the key path, what is
// wrong and what to do.
#include <gtest/gtest.h>

#include "topology/topology.h"

namespace forest::topology {
namespace {

// The error message of parsing `text` as t.yaml, or "ok".
std::string ErrorOf(std::string_view text) {
  auto t = Parse(text, "t.yaml");
  return t.ok() ? "ok" : t.error().message;
}

#define EXPECT_ERROR_HAS(text, ...)                                                                       \
  do {                                                                                                    \
    std::string message_ = ErrorOf(text);                                                                 \
    for (std::string_view part_ : {__VA_ARGS__})                                                          \
      EXPECT_NE(message_.find(part_), std::string::npos) << "missing: " << part_ << "\nin: " << message_; \
  } while (0)

constexpr std::string_view kChild = "version: 1\nroots:\n  - name: c0\n    children:\n      - name: c0-2\n";

std::string WithChildLine(std::string_view line) {
  return std::string(kChild) + "        " + std::string(line) + "\n";
}
std::string WithRootLine(std::string_view line) {
  return "version: 1\nroots:\n  - name: c0\n    " + std::string(line) + "\n";
}

// ---- exact messages ---------------------------------------------------------

TEST(Errors, UnknownKeySuggestsTheClosestAndListsValidKeys) {
  EXPECT_EQ(ErrorOf("version: 1\nroots:\n  - name: c0\n    childs: []\n"),
            "t.yaml:4:5: roots[0].childs: unknown key \"childs\"; did you mean \"children\"? Valid keys "
            "here: name, "
            "prefix, edge, slot, kind, limits, shares, ssh_agent, privileged, hardened, image, workloads, children");
}

TEST(Errors, UnknownKeyOnAChildDoesNotListRootsOnlyKeys) {
  EXPECT_EQ(
      ErrorOf(WithChildLine("slto: 1")),
      "t.yaml:6:9: roots[0].children[0].slto: unknown key \"slto\"; did you mean \"slot\"? Valid keys here: "
      "name, slot, kind, limits, shares, ssh_agent, privileged, hardened, workloads, children");
}

TEST(Errors, ChildSlotOutOfRange) {
  EXPECT_EQ(ErrorOf(WithChildLine("slot: 16")),
            "t.yaml:6:15: roots[0].children[0].slot: 16 is out of range 1..15; slot 0 is the parent's local "
            "region, "
            "so children use 1..15");
}

TEST(Errors, RootPrefixMustBeUniqueLocalOrGlobalUnicast) {
  for (std::string_view bad : {"ff00::/20", "fe80::/20", "::/20", "fc00::/6"}) {
    EXPECT_ERROR_HAS(WithRootLine("prefix: \"" + std::string(bad) + "\""), "t.yaml:4:", "roots[0].prefix:",
                     "is not unique-local (fc00::/7) or global unicast (2000::/3)", "fd00:1000::/20");
  }
  EXPECT_EQ(ErrorOf(WithRootLine("prefix: fd00:2000::/20")), "ok");
  EXPECT_EQ(ErrorOf(WithRootLine("prefix: 2001:db8:1000::/36")), "ok");
}

TEST(Errors, PrefixOnAChild) {
  EXPECT_EQ(
      ErrorOf(WithChildLine("prefix: fd00:1100::/24")),
      "t.yaml:6:9: roots[0].children[0].prefix: \"prefix\" is only valid on roots; children get their prefix "
      "from the address plan; remove it");
}

TEST(Errors, DuplicateSiblingNames) {
  EXPECT_EQ(ErrorOf("version: 1\nroots:\n  - name: c0\n  - name: c1\n  - name: c0\n"),
            "t.yaml:5:11: roots[2].name: \"c0\" is already the name of roots[0]; sibling nodes need distinct "
            "names");
}

TEST(Errors, YamlSyntaxErrorCarriesItsMark) {
  EXPECT_EQ(
      ErrorOf("version: 1\nroots:\n  - name: c0\n    slot: [1\n"),
      "t.yaml:5:1: YAML syntax: end of sequence flow not found; check the indentation, quotes and brackets "
      "here");
}

TEST(Errors, MissingVersion) {
  EXPECT_EQ(ErrorOf("roots:\n  - name: c0\n"),
            "t.yaml:1:1: version: required key is missing; add \"version:\" (Schema version; must be 1.)");
}

TEST(Errors, LabelWithAnUppercaseLetter) {
  EXPECT_EQ(
      ErrorOf("version: 1\nroots:\n  - name: C0\n"),
      "t.yaml:3:11: roots[0].name: \"C0\" has the uppercase letter 'C' at position 1; labels are lowercase "
      "(write \"c0\")");
}

TEST(Errors, EmptyValueIsReportedAtItsKey) {
  EXPECT_EQ(ErrorOf(WithChildLine("slot:")),
            "t.yaml:6:9: roots[0].children[0].slot: expected an integer 1..15, found nothing (null)");
}

// ---- types ------------------------------------------------------------------

TEST(Errors, WrongTypes) {
  EXPECT_ERROR_HAS("version: 1\nroots: {name: c0}\n",
                   "t.yaml:2:8: roots: expected a list of nodes, found a map");
  EXPECT_ERROR_HAS("version: 1\nroots:\n  - c0\n",
                   "t.yaml:3:5: roots[0]: expected a map with keys name, prefix, edge",
                   "found the value \"c0\"");
  EXPECT_ERROR_HAS(WithChildLine("slot: one"), "t.yaml:6:15: roots[0].children[0].slot",
                   "expected an integer 1..15, found the value \"one\"");
  EXPECT_ERROR_HAS(WithChildLine("slot: 1.5"), "expected an integer 1..15, found the value \"1.5\"");
  EXPECT_ERROR_HAS(WithChildLine("slot: \"2\""), "expected an integer 1..15, found the quoted string \"2\"");
  EXPECT_ERROR_HAS(WithRootLine("ssh_agent: yes"), "t.yaml:4:16: roots[0].ssh_agent",
                   "expected true or false, found the value \"yes\"", "not yes/no/on/off");
  EXPECT_ERROR_HAS(WithRootLine("privileged: \"true\""), "roots[0].privileged",
                   "expected true or false, found the quoted string \"true\"");
  EXPECT_ERROR_HAS(WithRootLine("children: {name: x}"),
                   "roots[0].children: expected a list of nodes, found a map");
  EXPECT_ERROR_HAS(WithRootLine("limits: [2]"),
                   "roots[0].limits: expected a map with keys cpu, memory, processes, "
                   "disk, found a list");
  EXPECT_ERROR_HAS(WithRootLine("workloads: app"),
                   "roots[0].workloads: expected a list of workloads, found the "
                   "value \"app\"");
  EXPECT_ERROR_HAS(WithRootLine("kind: lxc"),
                   "roots[0].kind: expected container or vm, found the value \"lxc\"");
  EXPECT_ERROR_HAS("- version: 1\n",
                   "t.yaml:1:1: top level: expected a map with keys version, name, host, "
                   "helper, nat64_prefix, dns64_upstream, roots, found a list");
  EXPECT_ERROR_HAS("version: 1\nhost: [bridge]\nroots: [{name: c0}]\n", "t.yaml:2:7: host: expected a map");
  EXPECT_ERROR_HAS("version: 1\nroots:\n  - name: [c0]\n", "roots[0].name: expected a string, found a list");
}

TEST(Errors, KeysMustBeWords) {
  EXPECT_ERROR_HAS("version: 1\n? [a]\n: b\nroots: [{name: c0}]\n",
                   "t.yaml:2:3: top level: a key must be a word, found a list");
  EXPECT_ERROR_HAS("version: 1\n\"\": b\nroots: [{name: c0}]\n",
                   "t.yaml:2:1: top level: a key must be a word, found the quoted string \"\"");
  // JSON is YAML: quoted keys are fine.
  EXPECT_EQ(ErrorOf(R"({"version": 1, "roots": [{"name": "c0", "slot": 2, "ssh_agent": true}]})"), "ok");
}

TEST(Errors, DuplicateKeys) {
  EXPECT_ERROR_HAS(
      "version: 1\nroots:\n  - name: c0\n    slot: 1\n    slot: 2\n",
      "t.yaml:5:5: roots[0].slot: the key \"slot\" appears twice in this map (first at line 4); keep one");
}

TEST(Errors, MissingRequiredKeys) {
  EXPECT_ERROR_HAS("version: 1\n", "t.yaml:1:1: roots: required key is missing");
  EXPECT_ERROR_HAS("version: 1\nroots:\n  - slot: 1\n", "t.yaml:3:5: roots[0].name: required key is missing");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{path: /w}]"),
                   "roots[0].shares[0].source: required key is missing");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{image: x}]"),
                   "roots[0].workloads[0].name: required key is missing");
}

// ---- values -----------------------------------------------------------------

TEST(Errors, Version) {
  EXPECT_ERROR_HAS("version: 2\nroots: [{name: c0}]\n",
                   "t.yaml:1:10: version: version \"2\" is not supported; this forest reads version 1");
  EXPECT_ERROR_HAS("version: one\nroots: [{name: c0}]\n", "expected the integer 1, found the value \"one\"");
}

TEST(Errors, Labels) {
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: c_0}]\n",
                   "roots[0].name: \"c_0\" has '_' at position 2, which labels "
                   "do not allow");
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: -c0}]\n", "\"-c0\" starts with '-'");
  EXPECT_EQ(ErrorOf("version: 1\nroots: [{name: C_0}]\n"),
            "t.yaml:2:16: roots[0].name: \"C_0\" has the uppercase letter 'C' at position 1; labels are "
            "lowercase, a "
            "label is 1..63 characters of [a-z0-9-], starting and ending with a letter or digit");
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: c0-}]\n", "\"c0-\" ends with '-'");
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: " + std::string(64, 'a') + "}]\n", "is 64 characters long");
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: \"\"}]\n", "roots[0].name: the value is empty");
  EXPECT_ERROR_HAS("version: 1\nname: My Forest\nroots: [{name: c0}]\n",
                   "t.yaml:2:7: name: \"My Forest\" has the "
                   "uppercase letter 'M'");
  EXPECT_ERROR_HAS("version: 1\nhelper: {name: h.x}\nroots: [{name: c0}]\n", "helper.name: \"h.x\" has '.'");
}

TEST(Errors, Slots) {
  EXPECT_ERROR_HAS(WithRootLine("slot: 4096"), "roots[0].slot: 4096 is out of range 1..4095");
  EXPECT_ERROR_HAS(WithRootLine("slot: 0"), "roots[0].slot: 0 is out of range 1..4095");
  EXPECT_EQ(ErrorOf(WithRootLine("slot: 4095")), "ok");
  EXPECT_ERROR_HAS(WithChildLine("slot: 0"), "0 is out of range 1..15; slot 0 is the parent's local region");
  EXPECT_ERROR_HAS(WithChildLine("slot: 99999999999999"), "expected an integer 1..15, found the value");
}

TEST(Errors, EdgeOnAChild) {
  EXPECT_ERROR_HAS(WithChildLine("edge: false"),
                   "t.yaml:6:9: roots[0].children[0].edge: \"edge\" is only valid on "
                   "roots; children reach IPv4 through their CLAT");
}

TEST(Errors, ImageIsForRoots) {
  EXPECT_EQ(ErrorOf(WithRootLine("image: mybox")), "ok");
  EXPECT_ERROR_HAS(WithChildLine("image: mybox"),
                   "roots[0].children[0].image: \"image\" is only valid on roots; children are created "
                   "from their parent's node image");
}

TEST(Errors, ReservedHelperLabels) {
  EXPECT_ERROR_HAS(
      "version: 1\nroots: [{name: forest-dns}]\n",
      "roots[0].name: \"forest-dns\" is reserved for the helper (apt-cache, forest-ca, forest-dns, "
      "images-cache); choose another root name");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: apt-cache}]"),
                   "roots[0].workloads[0].name: \"apt-cache\" is reserved for the helper");
  EXPECT_ERROR_HAS(WithChildLine("workloads: [{name: images-cache}]"), "is reserved for the helper");
  // A child may use such a label: its canonical name is under its parent.
  EXPECT_EQ(ErrorOf(std::string(kChild) + "      - name: forest-ca\n"), "ok");
}

TEST(Errors, HelperCollisions) {
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: forest-helper}]\n",
                   "roots[0].name: \"forest-helper\" is the helper's instance name (helper.name)");
  EXPECT_ERROR_HAS("version: 1\nhelper: {address: \"fd00:beef::53\"}\nroots: [{name: c0}]\n",
                   "t.yaml:2:19: helper.address: \"fd00:beef::53\" is not on the host bridge fd00:f00d::/64 "
                   "(host.ipv6); set helper.address to an address inside it");
  EXPECT_ERROR_HAS(
      "version: 1\nhost: {ipv6: \"fd00:beef::1/64\"}\nroots: [{name: c0}]\n",
      "t.yaml:2:14: host.ipv6: \"fd00:f00d::53\" (the default helper.address) is not on the host bridge "
      "fd00:beef::/64");
  EXPECT_ERROR_HAS("version: 1\nhelper: {address: \"fd00:f00d::1\"}\nroots: [{name: c0}]\n",
                   "helper.address: \"fd00:f00d::1\" is the host's own address (host.ipv6)");
  EXPECT_ERROR_HAS(
      "version: 1\nhelper: {cache: true, cache_address: \"fd00:f00d::53\"}\nroots: [{name: c0}]\n",
      "helper.cache_address: \"fd00:f00d::53\" is also helper.address");
  EXPECT_ERROR_HAS("version: 1\nhelper: {cache_address: \"fd00:1::1\"}\nroots: [{name: c0}]\n",
                   "helper.cache_address: \"fd00:1::1\" is not on the host bridge");
}

TEST(Errors, Addresses) {
  EXPECT_ERROR_HAS("version: 1\nnat64_prefix: 64:ff9b::/64\nroots: [{name: c0}]\n",
                   "t.yaml:2:15: nat64_prefix: \"64:ff9b::/64\" is a /64; this must be a /96");
  EXPECT_ERROR_HAS("version: 1\nnat64_prefix: banana\nroots: [{name: c0}]\n",
                   "nat64_prefix: \"banana\" is not an IPv6 prefix (", "write one like fd00:6464::/96");
  EXPECT_ERROR_HAS("version: 1\nhost: {uplink_range: \"fd00:f00d:1::/48\"}\nroots: [{name: c0}]\n",
                   "host.uplink_range: \"fd00:f00d:1::/48\" is a /48; this must be a /64");
  EXPECT_ERROR_HAS("version: 1\nhost: {ipv6: \"fd00:f00d::1/56\"}\nroots: [{name: c0}]\n",
                   "host.ipv6: \"fd00:f00d::1/56\" is on a /56; the bridge carries exactly one /64");
  EXPECT_ERROR_HAS("version: 1\nhost: {ipv4: 10.0.0.300/24}\nroots: [{name: c0}]\n",
                   "host.ipv4: \"10.0.0.300/24\" is not an IPv4 interface address");
  EXPECT_ERROR_HAS(WithRootLine("prefix: fd00:1000::/200"),
                   "roots[0].prefix: \"fd00:1000::/200\" is not an IPv6 "
                   "prefix");
}

TEST(Errors, HostNames) {
  EXPECT_ERROR_HAS(
      "version: 1\nhost: {bridge: averyveryverylongbridge}\nroots: [{name: c0}]\n",
      "host.bridge: \"averyveryverylongbridge\" is 23 characters long; an interface name is 1..15");
  EXPECT_ERROR_HAS("version: 1\nhost: {bridge: \"br 0\"}\nroots: [{name: c0}]\n",
                   "host.bridge: \"br 0\" has ' '");
  EXPECT_ERROR_HAS("version: 1\nhost: {storage_pool: \"a/b\"}\nroots: [{name: c0}]\n",
                   "host.storage_pool: \"a/b\" has '/'");
}

TEST(Errors, Shares) {
  EXPECT_ERROR_HAS(
      WithRootLine("shares: [{source: srv/p, path: /w}]"),
      "t.yaml:4:23: roots[0].shares[0].source: \"srv/p\" is a relative path; give an absolute path");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /srv/../etc, path: /w}]"),
                   "roots[0].shares[0].source: \"/srv/../etc\" has a \"..\" component");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /srv/p, path: /w/./x}]"), "has a \".\" component");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /srv/p, path: /}]"),
                   "roots[0].shares[0].path: a share mounted on / would hide the node's whole filesystem");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /, path: /host}]"),
                   "roots[0].shares[0].source: sharing the host's whole filesystem is refused");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /a, path: /w}, {source: /b, path: /w}]"),
                   "roots[0].shares[1].path: \"/w\" is already the path of shares[0]");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /a, path: /w, readonly: no}]"),
                   "roots[0].shares[0].readonly: expected true or false");
  EXPECT_ERROR_HAS(WithRootLine("shares: [{source: /a, path: /w, mode: ro}]"),
                   "roots[0].shares[0].mode: unknown key \"mode\"",
                   "; valid keys here: source, path, readonly");
}

TEST(Errors, Workloads) {
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app}, {name: db}, {name: app}]"),
                   "t.yaml:4:49: roots[0].workloads[2].name: \"app\" is already the name of workloads[0]");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: [a.b.c]}]"),
                   "roots[0].workloads[0].services[0]: \"a.b.c\" has 3 labels");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: [Auth]}]"),
                   "services[0]: \"Auth\" has the uppercase letter 'A'");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: [api.-x]}]"),
                   "services[0]: in \"api.-x\": \"-x\" starts with '-'");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: [a., b]}]"),
                   "in \"a.\": the label is empty");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: [auth, auth]}]"),
                   "services[1]: \"auth\" is listed twice (also at [0])");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, services: auth}]"),
                   "services: expected a list of service names, found the value \"auth\"");
  EXPECT_ERROR_HAS(WithRootLine("workloads: [{name: app, image: \"my image\"}]"),
                   "image: \"my image\" contains "
                   "whitespace");
  EXPECT_ERROR_HAS(
      "version: 1\nroots:\n  - name: c0\n    workloads: [{name: c1}]\n    children: [{name: c1}]\n",
      "t.yaml:4:24: roots[0].workloads[0].name: \"c1\" is also the name of roots[0].children[0]");
}

TEST(Errors, Limits) {
  EXPECT_ERROR_HAS(WithRootLine("limits: {memory: 4 GB}"),
                   "roots[0].limits.memory: \"4 GB\" is not a memory size");
  EXPECT_ERROR_HAS(WithRootLine("limits: {memory: 150%}"), "\"150%\" is not a memory size");
  EXPECT_ERROR_HAS(WithRootLine("limits: {cpu: two}"),
                   "roots[0].limits.cpu: \"two\" is not a CPU count or set");
  EXPECT_ERROR_HAS(WithRootLine("limits: {processes: -1}"), "\"-1\" is not a positive whole number");
  EXPECT_ERROR_HAS(WithRootLine("limits: {disk: 20Gb}"), "roots[0].limits.disk: \"20Gb\" is not a size");
  EXPECT_ERROR_HAS(WithRootLine("limits: {cpus: 2}"), "unknown key \"cpus\"; did you mean \"cpu\"?");
  EXPECT_EQ(ErrorOf(WithRootLine("limits: {cpu: \"0-3,6\", memory: 512MiB, processes: 1, disk: 1073741824}")),
            "ok");
}

TEST(Errors, Roots) {
  EXPECT_ERROR_HAS("version: 1\nroots: []\n",
                   "t.yaml:2:8: roots: the list is empty; declare at least one root node (- name: c0)");
  EXPECT_ERROR_HAS("version: 1\nroots:\n",
                   "t.yaml:2:1: roots: expected a list of nodes, found nothing (null)");
}

TEST(Errors, Documents) {
  EXPECT_EQ(ErrorOf(""),
            "t.yaml:1:1: top level: the file has no content; start with \"version: 1\" and a \"roots:\" "
            "list");
  EXPECT_EQ(ErrorOf("# only a comment\n"), ErrorOf(""));
  EXPECT_ERROR_HAS("version: 1\nroots: [{name: c0}]\n---\nversion: 1\n",
                   "t.yaml:3:1: top level: a second YAML document starts here");
}

TEST(Errors, CanonicalNamesFitInto253Characters) {
  std::string label(63, 'a');
  std::string text = "version: 1\nroots:\n  - name: " + label + "\n";
  std::string indent = "    ";
  for (int i = 0; i < 3; ++i) {
    text += indent + "children:\n" + indent + "  - name: " + label + "\n";
    indent += "    ";
  }
  EXPECT_ERROR_HAS(text, "roots[0].children[0].children[0].children[0].name: the canonical name \"aaaa",
                   "is 261 characters long; DNS names have at most 253");
  text = "version: 1\nroots:\n  - name: " + label + "\n    children:\n      - name: " + label +
         "\n        workloads: [{name: " + label + ", services: [auth, " + std::string(63, 'b') + "." +
         std::string(63, 'c') + "]}]\n";
  EXPECT_ERROR_HAS(text, "roots[0].children[0].workloads[0].services[1]: the canonical name",
                   "is 325 characters long");
}

}  // namespace
}  // namespace forest::topology

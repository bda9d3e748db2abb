// Revocations: the state file, what `forest cert revoke` selects, what a
// changed view supersedes (issue 15: a pre-claimed short alias), the CRL.
#include "helper/revocations.h"

#include <gtest/gtest.h>

namespace forest::helper {
namespace {

using registration::Delegation;
using registration::Export;
using registration::ForestView;
using registration::Merge;

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }

constexpr int64_t kNow = 1795000000;
const std::string kC021 = "c0-2-1.c0-2.c0.incus";

// c0 → c0-2 → c0-2-1; c0-2 may have a workload `anything`.
ForestView View(bool c02_has_anything) {
  Export leaf = Merge("c0-2-1", {{kC021, A("fd00:1110::1")}}, {P("fd00:1110::/28"), A("fd00:1100:0:1::1"), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", kC021, P("fd00:1110::/28"), A("fd00:1100:0:1::1")};
  std::vector<registration::Record> own = {{"c0-2.c0.incus", A("fd00:1100::1")}};
  if (c02_has_anything) own.push_back({"anything.c0-2.c0.incus", A("fd00:1100::5")});
  Export mid = Merge("c0-2", own, {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}, {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A("fd00:1000:0:1::1")};
  Export root = Merge("c0", {{"c0.incus", A("fd00:1000::1")}}, {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"},
                      {{to_c02, mid}});
  return ForestView::Build({root}, {});
}

Issuance Leaf(const std::string& serial, const std::string& caller, std::vector<std::string> sans,
              int64_t not_after = kNow + 7 * 86400) {
  Issuance i;
  i.caller = caller;
  i.serial_hex = serial;
  i.sans = std::move(sans);
  i.key_sha256 = "k" + serial;
  i.not_after = not_after;
  i.issued_at = kNow - 60;
  return i;
}

TEST(Superseded, APreClaimedAliasIsRevokedWhenAnotherNodePublishesIt) {
  // c0-2-1 had anything.incus signed while nobody had the name.
  std::vector<Issuance> issued = {
      Leaf("a1", kC021, {"anything.incus", "anything." + kC021, "anything.c0-2-1.incus"}),
      Leaf("b2", kC021, {kC021, "c0-2-1.incus"}),
      Leaf("c3", kC021, {"anything.incus"}, kNow - 1)};  // expired: nothing to do
  EXPECT_TRUE(Superseded(View(false), issued, {}, kNow).empty());
  // Then c0-2 gets a workload `anything`: anything.incus is published for it.
  auto gone = Superseded(View(true), issued, {}, kNow);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].serial, "a1");
  EXPECT_EQ(gone[0].caller, kC021);
  EXPECT_EQ(gone[0].revoked_at, kNow);
  EXPECT_EQ(gone[0].reason, "superseded: anything.incus is published for anything.c0-2.c0.incus, outside " + kC021 +
                                "'s subtree");
  // Once revoked it is not revoked again.
  EXPECT_TRUE(Superseded(View(true), issued, {"a1"}, kNow).empty());
}

TEST(Superseded, AnAncestorsNameHeldByADescendantIsRevoked) {
  std::vector<Issuance> issued = {Leaf("d4", kC021, {"c0-2.incus", "c0-2.c0-2-1.incus"})};
  auto gone = Superseded(View(false), issued, {}, kNow);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_NE(gone[0].reason.find("c0-2.incus is published for c0-2.c0.incus"), std::string::npos) << gone[0].reason;
}

TEST(SelectForRevocation, BySerialNodeOrName) {
  std::vector<Issuance> issued = {Leaf("a1", kC021, {"anything.incus"}), Leaf("b2", kC021, {kC021}),
                                  Leaf("c3", "c0-2.c0.incus", {"c0-2.incus"}),
                                  Leaf("d4", "c0-2.c0.incus", {"c0-2.incus"}, kNow - 1)};
  auto by_serial = SelectForRevocation(issued, {}, {{"serial=0A1", "A:1"}, "", "", ""}, kNow);
  ASSERT_TRUE(by_serial.ok()) << by_serial.error().message;
  ASSERT_EQ(by_serial->size(), 1u);  // both spellings are a1
  EXPECT_EQ((*by_serial)[0].serial, "a1");
  EXPECT_EQ((*by_serial)[0].reason, "revoked by the forest's owner");
  auto by_node = SelectForRevocation(issued, {"a1"}, {{}, "c0-2-1", "", "lost laptop"}, kNow);
  ASSERT_TRUE(by_node.ok());
  ASSERT_EQ(by_node->size(), 1u);  // a1 is revoked already
  EXPECT_EQ((*by_node)[0].serial, "b2");
  EXPECT_EQ((*by_node)[0].reason, "lost laptop");
  auto by_name = SelectForRevocation(issued, {}, {{}, "", "C0-2.incus.", ""}, kNow);
  ASSERT_TRUE(by_name.ok());
  ASSERT_EQ(by_name->size(), 1u);  // d4 has expired
  EXPECT_EQ((*by_name)[0].serial, "c3");

  auto unknown = SelectForRevocation(issued, {}, {{"ff"}, "", "", ""}, kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("\"ff\" was not issued"), std::string::npos);
  EXPECT_FALSE(SelectForRevocation(issued, {}, {}, kNow).ok());
  issued.push_back(Leaf("e5", "c0-2-1.c1.incus", {"c0-2-1.c1.incus"}));
  auto twice = SelectForRevocation(issued, {}, {{}, "c0-2-1", "", ""}, kNow);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("name the node by its canonical name"), std::string::npos);
  EXPECT_EQ(SelectForRevocation(issued, {}, {{}, "c0-2-1.c1.incus", "", ""}, kNow)->size(), 1u);
  auto none = SelectForRevocation(issued, {}, {{}, "c9", "", ""}, kNow);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("nothing to revoke"), std::string::npos);
}

TEST(Revocations, FileRoundTripAndErrors) {
  std::vector<Revocation> all = {{"b2", kC021, {kC021}, kNow + 10, kNow, "x"},
                                 {"a1", kC021, {"anything.incus"}, kNow + 10, kNow, "y"},
                                 {"a1", kC021, {"anything.incus"}, kNow + 10, kNow + 5, "again"}};
  std::string text = SerializeRevocations(all);
  auto back = ParseRevocations(text, "revoked.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].serial, "a1");
  EXPECT_EQ((*back)[0].reason, "y");  // the first revocation wins
  EXPECT_EQ(SerializeRevocations(*back), text);
  auto bad = ParseRevocations(R"({"schema":1,"revoked":[{"serial":5}]})", "/var/lib/forestd/ca/revoked.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("/var/lib/forestd/ca/revoked.json: revoked[0]: serial: expected a string"),
            std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(ParseRevocations("nope", "f").ok());
}

TEST(Revocations, ASchemaOfTheWrongTypeIsAnErrorNotAnException) {
  // Found by fuzz_revocations: j.value("schema", 0) threw on a string.
  for (const char* text : {R"({"schema":"1","revoked":[]})", R"({"schema":null,"revoked":[]})",
                           R"({"schema":[1],"revoked":[]})", R"({"revoked":[]})"}) {
    auto r = ParseRevocations(text, "revoked.json");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message, "revoked.json: schema: expected 1");
  }
}

TEST(IssuedLog, TornLinesAreSkipped) {
  std::string text = Leaf("a1", kC021, {"x.incus"}).ToJson().dump() + "\n" +
                     Leaf("b2", kC021, {"y.incus"}).ToJson().dump() + "\n{\"caller\":\"c0-2-1";
  IssuedLog log = ParseIssuedLog(text);
  ASSERT_EQ(log.issued.size(), 2u);
  EXPECT_EQ(log.issued[1].sans, std::vector<std::string>{"y.incus"});
  EXPECT_EQ(log.issued[1].not_after, kNow + 7 * 86400);
  EXPECT_EQ(log.skipped, 1u);
}

TEST(CrlSpecFor, ListsUnexpiredRevocationsOnce) {
  std::vector<Revocation> all = {{"a1", kC021, {}, kNow + 10, kNow - 5, ""}, {"b2", kC021, {}, kNow - 1, kNow - 9, ""}};
  trust::CrlSpec spec = CrlSpecFor(all, kNow, 42);
  ASSERT_EQ(spec.entries.size(), 1u);
  EXPECT_EQ(spec.entries[0].serial_hex, "a1");
  EXPECT_EQ(spec.entries[0].revoked_at, kNow - 5);
  EXPECT_EQ(spec.next_update, kNow + kCrlValiditySeconds);
  EXPECT_EQ(spec.number, 42u);
}

}  // namespace
}  // namespace forest::helper

// The helper's CA state on disk: forest helper-revoke's read-select-add over
// issued.jsonl and revoked.json in a scratch directory.
// tests/trust_broker_test.sh runs helper-revoke beside a running forestd.
#include "helper/ca_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/temp_dir.h"

namespace forest::helper {
namespace {

constexpr int64_t kNow = 1795000000;
const std::string kC021 = "c0-2-1.c0-2.c0.incus";

Issuance Leaf(const std::string& serial, const std::string& caller, std::vector<std::string> sans) {
  Issuance i;
  i.caller = caller;
  i.serial_hex = serial;
  i.sans = std::move(sans);
  i.key_sha256 = "k" + serial;
  i.not_after = kNow + 7 * 86400;
  i.issued_at = kNow - 60;
  return i;
}

class CaFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }
  TempDir tmp_{"forest-ca-files"};
  std::string dir_;
};

TEST_F(CaFilesTest, RevokeAddsTheSelectedLeavesOnceAndADryRunWritesNothing) {
  CaFiles files(dir_ + "/ca");
  std::filesystem::create_directories(files.dir());
  ASSERT_TRUE(files.AppendIssued(Leaf("a1", kC021, {"app." + kC021})).ok());
  ASSERT_TRUE(files.AppendIssued(Leaf("b2", kC021, {"anything.incus"})).ok());
  ASSERT_TRUE(files.AppendIssued(Leaf("c3", "c0-2.c0.incus", {"web.c0-2.c0.incus"})).ok());

  RevokeSelector by_node;
  by_node.node = "c0-2-1";
  auto would = files.Revoke(by_node, kNow, true);
  ASSERT_TRUE(would.ok()) << would.error().message;
  ASSERT_EQ(would->size(), 2u);
  EXPECT_EQ((*would)[0].serial, "a1");
  EXPECT_EQ((*would)[1].serial, "b2");
  EXPECT_FALSE(std::filesystem::exists(files.Path(kRevokedFile)));

  RevokeSelector by_serial;
  by_serial.serials = {"A1"};
  by_serial.reason = "key lost";
  auto done = files.Revoke(by_serial, kNow, false);
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].reason, "key lost");
  EXPECT_EQ((*done)[0].revoked_at, kNow);
  auto kept = files.ReadRevoked();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, *done);

  // a1 is revoked now: the node's other leaf is what is left.
  auto rest = files.Revoke(by_node, kNow + 1, false);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].serial, "b2");
  EXPECT_EQ(files.ReadRevoked()->size(), 2u);

  auto again = files.Revoke(by_serial, kNow + 2, false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message,
            "nothing to revoke: no unexpired certificate that is not revoked yet matches");
}

TEST_F(CaFilesTest, RevokeWithoutAnIssuanceLogKnowsNoSerial) {
  CaFiles files(dir_ + "/ca");
  RevokeSelector s;
  s.serials = {"abc123"};
  auto r = files.Revoke(s, kNow, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "serial \"abc123\" was not issued by this forest's CA");
  EXPECT_FALSE(std::filesystem::exists(files.dir()));
}

}  // namespace
}  // namespace forest::helper

#include "up/node_inputs.h"

#include <gtest/gtest.h>

#include "base/files.h"
#include "base/temp_dir.h"
#include "test_paths.h"

namespace forest::up {
namespace {

class NodeInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = ReadFile(std::string(FOREST_SOURCE_DIR) + "/examples/source-chain.yaml");
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.path() + "/topology.yaml", *text).ok());
    auto planned = LoadNodeInputs(dir_.path());
    ASSERT_TRUE(planned.ok()) << planned.error().message;
    ASSERT_FALSE((*planned)->plan.nodes.empty());
    self_ = (*planned)->plan.nodes.back().canonical_name;
    parent_ = {"https://[fd00:1000::1]:8443", "-----BEGIN CERTIFICATE-----\n", "default", "aa", "bb"};
  }
  void PutParent() {
    ASSERT_TRUE(WriteFileAtomic(dir_.path() + "/parent.json", ToJson(parent_).dump()).ok());
  }

  TempDir dir_{"forest-node-inputs"};
  std::string self_;
  ParentInfo parent_;
};

TEST_F(NodeInputsTest, ReadsWhatUpInstalled) {
  PutParent();
  ASSERT_TRUE(WriteFileAtomic(dir_.path() + "/authorized_keys", "ssh-ed25519 AAAA me\n").ok());
  std::string socket = dir_.path() + "/agent.sock";
  ASSERT_TRUE(WriteFileAtomic(socket, "").ok());
  auto n = LoadNodeUp(dir_.path(), self_, socket);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->self->canonical_name, self_);
  EXPECT_EQ(n->parent, parent_);
  EXPECT_EQ(n->authorized_keys, "ssh-ed25519 AAAA me\n");
  EXPECT_EQ(n->agent_socket, socket);
}

TEST_F(NodeInputsTest, KeysAndAgentAreOptional) {
  PutParent();
  auto n = LoadNodeUp(dir_.path(), self_, dir_.path() + "/no-agent.sock");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->authorized_keys, "");
  EXPECT_EQ(n->agent_socket, "");
}

TEST_F(NodeInputsTest, ErrorsNameWhatIsWrong) {
  auto none = LoadNodeUp(dir_.path(), self_);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("parent.json"), std::string::npos) << none.error().message;
  PutParent();
  auto stranger = LoadNodeUp(dir_.path(), "c9.incus");
  ASSERT_FALSE(stranger.ok());
  EXPECT_NE(stranger.error().message.find("c9.incus is not a node of"), std::string::npos);
  ASSERT_TRUE(WriteFileAtomic(dir_.path() + "/parent.json", "{\"server\": 3}").ok());
  auto bad = LoadNodeUp(dir_.path(), self_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("parent.json"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace forest::up

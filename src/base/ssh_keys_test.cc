#include "base/ssh_keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "base/fake_process.h"
#include "base/files.h"
#include "base/temp_dir.h"

namespace forest {
namespace {

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class HostKeys : public ::testing::Test {
 protected:
  TempDir home_{"forest-ssh-keys"};
  ScopedEnv home_env_{"HOME", home_.path()};
  ScopedEnv sudo_uid_{"SUDO_UID", std::nullopt};
  ScopedEnv sudo_gid_{"SUDO_GID", std::nullopt};
  FakeProcessRunner runner_;

  void Put(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(home_.path() + "/.ssh");
    ASSERT_TRUE(WriteFileAtomic(home_.path() + "/.ssh/" + name, text).ok());
  }
};

TEST_F(HostKeys, TheHomesIdPublicKeysOnly) {
  ScopedEnv agent("SSH_AUTH_SOCK", std::nullopt);
  Put("id_ed25519.pub", "ssh-ed25519 AAAA me@host\n");
  Put("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  Put("deploy.pub", "ssh-rsa BBBB deploy\n");
  EXPECT_EQ(HostAuthorizedKeys(runner_), "ssh-ed25519 AAAA me@host\n");
  EXPECT_TRUE(runner_.calls().empty()) << "no agent, no ssh-add";
}

TEST_F(HostKeys, TheAgentsKeysComeFirstAndItsOtherLinesNot) {
  ScopedEnv agent("SSH_AUTH_SOCK", "/tmp/agent.sock");
  runner_.On({"ssh-add", "-L"}, 0, "ssh-ed25519 CCCC agent\necdsa-sha2-nistp256 DDDD card\nnot a key\n");
  Put("id_rsa.pub", "ssh-rsa EEEE file\n");
  EXPECT_EQ(HostAuthorizedKeys(runner_),
            "ssh-ed25519 CCCC agent\necdsa-sha2-nistp256 DDDD card\nssh-rsa EEEE file\n");
}

TEST_F(HostKeys, AnAgentWithoutKeysAddsNothing) {
  ScopedEnv agent("SSH_AUTH_SOCK", "/tmp/agent.sock");
  runner_.On({"ssh-add", "-L"}, 1, "The agent has no identities.\n");
  EXPECT_EQ(HostAuthorizedKeys(runner_), "");
  runner_.FailToStart({"ssh-add"});
  EXPECT_EQ(HostAuthorizedKeys(runner_), "");
}

}  // namespace
}  // namespace forest

#include "shellhost/launch.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/files.h"
#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

TEST(ShellhostLaunch, AgentSocketMustBeASocket) {
  auto none = AgentSocket(false, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
  auto unset = AgentSocket(true, nullptr);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error().message.find("SSH_AUTH_SOCK is not set"), std::string::npos);
  EXPECT_NE(unset.error().message.find("--preserve-env=SSH_AUTH_SOCK"), std::string::npos);

  testing::Scratch tmp;
  std::string file = tmp.path() + "/file";
  ASSERT_TRUE(WriteFileAtomic(file, "x").ok());
  auto plain = AgentSocket(true, file.c_str());
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find("is not a socket here"), std::string::npos);

  std::string path = tmp.path() + "/agent.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof a.sun_path);
  path.copy(a.sun_path, path.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto ok = AgentSocket(true, path.c_str());
  close(fd);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, path);
}

TEST(ShellhostLaunch, PreparedUserIsTheLastLine) {
  auto r = ParsePrepared("j", "prepare: made dev\ndev /home/dev\r\n\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->user, "dev");
  EXPECT_EQ(r->home, "/home/dev");
  auto bad = ParsePrepared("j", "oops");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("j: preparing the jail user printed 'oops'"), std::string::npos);
}

TEST(ShellhostLaunch, UserOfARecordedJailAsksNothing) {
  auto incus = std::make_shared<incus::FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  shell::Jail j;
  j.name = "j";
  j.user = {1000, 1000, "dev"};
  j.home = "/home/dev";
  auto r = UserOf(s, j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->home, "/home/dev");
  EXPECT_TRUE(incus->calls.empty());
}

}  // namespace
}  // namespace forest::shellhost

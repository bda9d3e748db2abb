#include "incus/cli_exec.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace forest::incus {
namespace {

namespace fs = std::filesystem;

// A client that fails the way incusd does for its first FAILS runs (after
// running the command when RAN_FIRST), else runs the command after "--"
// (which prints the start mark) and then "ran"; it counts its runs in a file
// beside it.
class CliExec : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("forest-cli-exec-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Client(int fails, const std::string& error, bool ran_first = false) {
    std::string path = (dir_ / "incus").string();
    std::string runs = (dir_ / "runs").string();
    std::ofstream(path) << "#!/bin/sh\n"
                        << "n=$(cat '" << runs << "' 2>/dev/null || echo 0)\n"
                        << "n=$((n + 1)); echo $n >'" << runs << "'\n"
                        << "echo \"conf=$INCUS_CONF\" >&2\n"
                        << "while [ \"$1\" != -- ]; do shift; done; shift\n"
                        << "if [ $n -le " << fails << " ]; then\n"
                        << (ran_first ? "  \"$@\"\n" : "")
                        << "  echo 'Error: " << error << "' >&2; exit 1\n"
                        << "fi\n"
                        << "\"$@\" && echo ran\n";
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }
  int Runs() {
    int n = 0;
    std::ifstream(dir_ / "runs") >> n;
    return n;
  }
  // Runs with stdin from STDIN_PATH and stderr into a file; returns the code.
  int Run(const std::string& client, const std::string& stdin_path, std::string* err) {
    std::string err_path = (dir_ / "stderr").string();
    int saved_in = dup(0), saved_err = dup(2);
    int in = open(stdin_path.c_str(), O_RDONLY);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(e, 2);
    close(in);
    close(e);
    int rc = RunCliExec({client, "exec", "x", "-T", "--", "true"}, "/conf/dir");
    dup2(saved_in, 0);
    dup2(saved_err, 2);
    close(saved_in);
    close(saved_err);
    std::ostringstream s;
    s << std::ifstream(err_path).rdbuf();
    *err = s.str();
    return rc;
  }
  fs::path dir_;
};

constexpr const char* kLost = "Failed to retrieve PID of executing child process";

TEST_F(CliExec, StartsAgainWhenIncusdLostThePid) {
  std::string err;
  EXPECT_EQ(Run(Client(1, kLost), "/dev/null", &err), 0);
  EXPECT_EQ(Runs(), 2);
  EXPECT_EQ(err.find(kLost), std::string::npos) << err;  // a retried error is not shown
  EXPECT_NE(err.find("conf=/conf/dir"), std::string::npos) << err;
  EXPECT_EQ(err.find('\036'), std::string::npos) << "the start mark is taken out";
}

TEST_F(CliExec, ACommandThatRanIsNotStartedAgain) {
  // lxc's attach can fail after the command ran: its start mark says so.
  std::string err;
  EXPECT_EQ(Run(Client(1, kLost, true), "/dev/null", &err), 1);
  EXPECT_EQ(Runs(), 1);
  EXPECT_NE(err.find(kLost), std::string::npos) << err;
  EXPECT_EQ(err.find('\036'), std::string::npos) << "the start mark is taken out";
}

TEST_F(CliExec, GivesUpAfterThreeRunsAndSaysWhy) {
  std::string err;
  EXPECT_EQ(Run(Client(5, kLost), "/dev/null", &err), 1);
  EXPECT_EQ(Runs(), 3);
  EXPECT_NE(err.find(std::string("Error: ") + kLost), std::string::npos) << err;
}

TEST_F(CliExec, OtherErrorsAreNotRetried) {
  std::string err;
  EXPECT_EQ(Run(Client(1, "Instance is not running"), "/dev/null", &err), 1);
  EXPECT_EQ(Runs(), 1);
  EXPECT_NE(err.find("Error: Instance is not running"), std::string::npos) << err;
}

TEST_F(CliExec, StdinThatCannotBeGivenAgainIsNotRetried) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[1]);
  std::string fifo = "/proc/self/fd/" + std::to_string(p[0]);
  std::string err;
  EXPECT_EQ(Run(Client(1, kLost), fifo, &err), 1);
  close(p[0]);
  EXPECT_EQ(Runs(), 1);
  EXPECT_NE(err.find(kLost), std::string::npos) << err;
}

}  // namespace
}  // namespace forest::incus

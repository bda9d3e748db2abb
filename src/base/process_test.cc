#include "base/process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "base/fake_process.h"

namespace forest {
namespace {

using namespace std::chrono_literals;

Result<ProcessResult> Spawn(Command c) { return SystemRunner().Run(c); }

TEST(ProcessTest, TrueExitsZero) {
  auto r = Spawn({.argv = {"/bin/true"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->out, "");
}

TEST(ProcessTest, ExitCodeAndStreamsApart) {
  auto r = Spawn({.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(ShellExitCode(*r), 3);
}

TEST(ProcessTest, MergedStderr) {
  auto r = Spawn({.argv = {"sh", "-c", "echo a; echo b >&2"}, .merge_stderr = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "a\nb\n");
  EXPECT_EQ(r->err, "");
}

TEST(ProcessTest, StdinTextReachesCat) {
  std::string big(200000, 'x');  // more than a pipe holds: written while read
  auto r = Spawn({.argv = {"cat"}, .stdin_text = "hello\n" + big});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "hello\n" + big);
}

TEST(ProcessTest, NoStdinTextMeansDevNull) {
  auto r = Spawn({.argv = {"cat"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "");
}

TEST(ProcessTest, ChildThatIgnoresStdinDoesNotKillUs) {
  std::string big(1 << 20, 'y');
  auto r = Spawn({.argv = {"/bin/true"}, .stdin_text = big});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
}

TEST(ProcessTest, ArgumentsAreNotShellWords) {
  auto r = Spawn({.argv = {"sh", "-c", "printf '%s|' \"$@\"", "name", "a b", "$(echo no)", "'"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "a b|$(echo no)|'|");
}

TEST(ProcessTest, EnvironmentAdditions) {
  auto r = Spawn({.argv = {"sh", "-c", "echo \"$FOREST_T1:$HOME_SET\""},
                  .env = {{"FOREST_T1", "v 1"}, {"HOME_SET", "yes"}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "v 1:yes\n");
}

TEST(ProcessTest, DeadlineKillsSleep) {
  auto start = std::chrono::steady_clock::now();
  auto r = Spawn({.argv = {"sleep", "30"}, .timeout = 200ms});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_FALSE(r->ok());
  EXPECT_LT(took, 5s);
}

TEST(ProcessTest, DeadlineKillsTheGroupHoldingThePipe) {
  // The shell's child keeps stdout open: the whole group goes.
  auto start = std::chrono::steady_clock::now();
  auto r = Spawn({.argv = {"sh", "-c", "sleep 30; echo late"}, .timeout = 200ms});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(r->out, "");
}

TEST(ProcessTest, QuickCommandBeatsDeadline) {
  auto r = Spawn({.argv = {"echo", "fast"}, .timeout = 10s});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->out, "fast\n");
}

TEST(ProcessTest, MissingProgramIsAnError) {
  auto r = Spawn({.argv = {"forest-no-such-program-xyz"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("forest-no-such-program-xyz"), std::string::npos);
}

TEST(ProcessTest, StreamingSinkSeesOutput) {
  std::string seen;
  auto r = Spawn(
      {.argv = {"sh", "-c", "echo one; echo two >&2"},
       .on_output = [&](int fd, std::string_view b) { seen += std::to_string(fd) + ":" + std::string(b); },
       .keep_output = false});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "");
  EXPECT_NE(seen.find("1:one\n"), std::string::npos);
  EXPECT_NE(seen.find("2:two\n"), std::string::npos);
}

TEST(ProcessTest, RunOkDescribesFailure) {
  auto r = RunOk(SystemRunner(), {.argv = {"sh", "-c", "echo broken >&2; exit 4"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exit 4: broken"), std::string::npos) << r.error().message;
}

TEST(ProcessTest, ReplaceProcessBecomesTheProgram) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    (void)ReplaceProcess({"sh", "-c", "exit 7"});
    _exit(99);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(ProcessTest, ReplaceProcessSaysWhyItCouldNot) {
  Error e = ReplaceProcess({"/nonexistent/forest-no-such-program"});
  EXPECT_NE(e.message.find("cannot run /nonexistent/forest-no-such-program: No such file"), std::string::npos)
      << e.message;
  EXPECT_NE(ReplaceProcess({}).message, "");
}

TEST(FakeProcessTest, RecordsAndAnswersByPrefix) {
  FakeProcessRunner fake;
  fake.On({"nft", "-j"}, 0, "{}");
  fake.On({"nft"}, 1, "", "no");
  fake.FailToStart({"missing"});
  auto a = fake.Run({.argv = {"nft", "-j", "list", "ruleset"}});
  auto b = fake.Run({.argv = {"nft", "-f", "x"}});
  auto c = fake.Run({.argv = {"ip", "link"}});
  auto d = fake.Run({.argv = {"missing"}});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->out, "{}");
  EXPECT_EQ(b->exit_code, 1);
  EXPECT_EQ(b->err, "no");
  EXPECT_EQ(c->exit_code, 0);
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(fake.Lines(),
            (std::vector<std::string>{"nft -j list ruleset", "nft -f x", "ip link", "missing"}));
}

}  // namespace
}  // namespace forest

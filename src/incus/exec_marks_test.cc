// The marks' reading, and the wrapper itself run by a real sh (the same
// script runs inside instances: tests/forest_up_test.sh and every suite that
// execs through incusd).
#include "incus/exec_marks.h"

#include <gtest/gtest.h>

#include "base/process.h"

namespace forest::incus {
namespace {

ProcessResult RunHere(const std::vector<std::string>& argv, MarkOptions o) {
  Command c;
  c.argv = MarkedCommand(argv, o);
  c.stdin_text = "input\n";
  c.out = c.err = Stdio::kCapture;
  auto r = SystemRunner().Run(c);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : ProcessResult{};
}

TEST(ExecMarks, AnUnmarkedStderrDidNotStart) {
  auto m = ReadMarks("Error: Failed to retrieve PID of executing child process\n");
  EXPECT_FALSE(m.started);
  EXPECT_FALSE(m.exit_code);
  EXPECT_EQ(m.text, "Error: Failed to retrieve PID of executing child process\n");
  EXPECT_FALSE(ReadMarks("").started);
}

TEST(ExecMarks, TheStartMarkAloneStartedWithoutAKnownEnd) {
  auto m = ReadMarks("\036half a line");
  EXPECT_TRUE(m.started);
  EXPECT_FALSE(m.exit_code);
  EXPECT_EQ(m.text, "half a line");
}

TEST(ExecMarks, TheEndMarkGivesTheExitCodeAndIsTakenOut) {
  auto m = ReadMarks("\036mv: oops\n\0361\n");
  EXPECT_TRUE(m.started);
  ASSERT_TRUE(m.exit_code);
  EXPECT_EQ(*m.exit_code, 1);
  EXPECT_EQ(m.text, "mv: oops\n");
  EXPECT_EQ(ReadMarks("\036\0360\n").exit_code, 0);
}

TEST(ExecMarks, AMarkInsideTheOutputIsNotAnEnd) {
  // The command's own RS bytes, not followed by digits and a final newline.
  for (const char* err : {"\036a\036b\n", "\036x\036\n", "\036x\036-1\n", "\036x\0363", "\036x\0363\ny"}) {
    auto m = ReadMarks(err);
    EXPECT_TRUE(m.started) << err;
    EXPECT_FALSE(m.exit_code) << err;
    EXPECT_EQ(m.text, std::string(err + 1)) << err;
  }
}

TEST(ExecMarks, LostPidIsRecognised) {
  EXPECT_TRUE(IsLostPid("POST /1.0/instances/c/exec: Failed to retrieve PID of executing child process"));
  EXPECT_FALSE(IsLostPid("Instance is not running"));
}

TEST(ExecMarks, TheWrapperUnderARealShell) {
  auto r = RunHere({"sh", "-c", "echo out; echo err >&2; exit 3"}, {.end_mark = true});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  auto m = ReadMarks(r.err);
  EXPECT_TRUE(m.started);
  ASSERT_TRUE(m.exit_code);
  EXPECT_EQ(*m.exit_code, 3);
  EXPECT_EQ(m.text, "err\n");
}

TEST(ExecMarks, UnmarkedGivesBackTheArgvOfEitherWrapper) {
  std::vector<std::string> argv = {"install", "-d", "/x"};
  EXPECT_EQ(Unmarked(MarkedCommand(argv, {.end_mark = true})), argv);
  EXPECT_EQ(Unmarked(MarkedCommand(argv, {.stdin_null = true})), argv);
  EXPECT_EQ(Unmarked(argv), argv);
  std::vector<std::string> other = {"sh", "-c", "echo", "forest-exec", "x"};
  EXPECT_EQ(Unmarked(other), other);
}

TEST(ExecMarks, ArgumentsPassThroughUnchanged) {
  auto r = RunHere({"printf", "%s|", "a b", "$HOME", "'q'", ""}, {.end_mark = true});
  EXPECT_EQ(r.out, "a b|$HOME|'q'||");
  EXPECT_EQ(ReadMarks(r.err).exit_code, 0);
}

TEST(ExecMarks, WithoutTheEndMarkTheCommandReplacesTheWrapper) {
  // exec: only the start mark is written; stdin reaches the command.
  auto r = RunHere({"cat"}, {});
  EXPECT_EQ(r.out, "input\n");
  auto m = ReadMarks(r.err);
  EXPECT_TRUE(m.started);
  EXPECT_FALSE(m.exit_code);
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ExecMarks, StdinNullClosesTheInput) {
  auto r = RunHere({"sh", "-c", "cat; echo done"}, {.stdin_null = true, .end_mark = true});
  EXPECT_EQ(r.out, "done\n");
  EXPECT_EQ(ReadMarks(r.err).exit_code, 0);
}

}  // namespace
}  // namespace forest::incus

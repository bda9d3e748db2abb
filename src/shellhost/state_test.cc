#include "shellhost/state.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using testing::FakeSession;
using testing::Scratch;

TEST(ShellhostState, MissingStateIsEmptyAndSavedStateReadsBack) {
  Scratch tmp;
  Session s = FakeSession(tmp.path(), tmp.path() + "/state");
  auto empty = LoadState(s);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->jails.empty());

  auto j = NewJail(s, *empty, 2);
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_EQ(j->slot, 2);
  EXPECT_EQ(j->workspace, tmp.path());
  EXPECT_EQ(j->name, shell::JailName(tmp.path(), 2));
  EXPECT_EQ(j->user.uid, 1000u);
  EXPECT_EQ(j->index, 1);
  EXPECT_FALSE(j->limits.cpu.empty()) << "no jail runs without limits";
  shell::State st;
  st.jails.push_back(*j);
  ASSERT_TRUE(SaveState(s, st).ok());
  EXPECT_TRUE(std::filesystem::exists(s.dir + "/shell.json"));

  auto back = LoadState(s);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->jails.size(), 1u);
  EXPECT_EQ(back->jails[0].name, j->name);

  shell::Jail changed = back->jails[0];
  changed.home = "/home/dev";
  ASSERT_TRUE(RecordJail(s, *back, changed).ok());
  auto again = LoadState(s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->jails[0].home, "/home/dev");
  // The next jail takes the next free index.
  auto k = NewJail(s, *again, 1);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->index, 2);
}

TEST(ShellhostState, BadStateFileIsAnErrorNamingIt) {
  Scratch tmp;
  Session s = FakeSession(tmp.path(), tmp.path());
  std::filesystem::create_directories(s.dir);
  ASSERT_TRUE(WriteFileAtomic(s.dir + "/shell.json", "{not json").ok());
  auto st = LoadState(s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("shell.json"), std::string::npos) << st.error().message;
}

TEST(ShellhostState, LockFileIsUnderTheStateRoot) {
  Scratch tmp;
  Session s = FakeSession(tmp.path(), tmp.path() + "/root");
  auto first = Lock(s);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/root/.shell-shell.lock"));
}

TEST(ShellhostState, PickByNameThenByWorkspace) {
  Scratch tmp;
  Session s = FakeSession("/w/a", tmp.path());
  shell::State st;
  shell::Jail a1, a2, b1;
  a1.name = "a-1", a1.workspace = "/w/a", a1.slot = 1;
  a2.name = "a-2", a2.workspace = "/w/a", a2.slot = 2;
  b1.name = "b-1", b1.workspace = "/w/b", b1.slot = 1;
  EXPECT_NE(Pick(s, st, "").error().message.find("no jail for /w/a"), std::string::npos);
  st.jails = {a2};
  EXPECT_EQ(Pick(s, st, "")->name, "a-2");  // the only one
  st.jails = {a1, a2, b1};
  EXPECT_EQ(Pick(s, st, "")->name, "a-1");  // slot 1 of several
  EXPECT_EQ(Pick(s, st, "b-1")->name, "b-1");
  auto none = Pick(s, st, "c-1");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("the jails are a-1, a-2, b-1"), std::string::npos)
      << none.error().message;
  st.jails = {a2, {}};
  st.jails[1].name = "a-3", st.jails[1].workspace = "/w/a", st.jails[1].slot = 3;
  EXPECT_NE(Pick(s, st, "").error().message.find("has 2 jails"), std::string::npos);
}

TEST(ShellhostState, TopologyIsWrittenAndPlannedFromTheState) {
  Scratch tmp;
  Session s = FakeSession(tmp.path(), tmp.path());
  shell::State st;
  auto j = NewJail(s, st, 1);
  ASSERT_TRUE(j.ok());
  st.jails.push_back(*j);
  ASSERT_TRUE(WriteTopology(s, st).ok());
  auto f = LoadForest(s);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->topology.name, s.config.forest);
  bool found = false;
  for (const auto& n : (*f)->plan.nodes) found |= n.depth == 0 && n.label == j->name;
  EXPECT_TRUE(found) << "the jail is a root of the shell forest";
}

}  // namespace
}  // namespace forest::shellhost

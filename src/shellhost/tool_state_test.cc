#include "shellhost/tool_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/files.h"
#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

namespace fs = std::filesystem;

TEST(ShellhostToolState, SavedSessionsAreListedByWorkspaceToolAndId) {
  testing::Scratch tmp;
  std::string base = tmp.path() + "/sessions";
  std::string id1 = shell::SessionId(1700000000, 1, {});
  std::string id2 = shell::SessionId(1700000100, 1, {});
  for (const auto& id : {id2, id1}) {
    fs::create_directories(base + "/h1/claude/" + id);
    ASSERT_TRUE(WriteFileAtomic(base + "/h1/claude/" + id + "/.forest-session.json",
                                nlohmann::json{{"tool", "claude"}, {"workspace", "/w"}}.dump())
                    .ok());
  }
  fs::create_directories(base + "/h1/claude/not-a-session");
  fs::create_directories(base + "/h1/claude/." + id1 + ".new");  // a save under way
  fs::create_directories(base + "/h1/codex/" + id1);             // no metadata: left out

  auto ids = SavedSessionIds(base + "/h1/claude");
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{id1, id2}));

  auto all = ListSavedSessions(base);
  ASSERT_EQ(all.size(), 2u) << all.dump();
  EXPECT_EQ(all[0]["id"], id1);
  EXPECT_EQ(all[1]["id"], id2);
  EXPECT_EQ(all[0]["tool"], "claude");
  EXPECT_EQ(all[0]["path"], base + "/h1/claude/" + id1);
  EXPECT_TRUE(ListSavedSessions(tmp.path() + "/none").empty());
}

TEST(ShellhostToolState, RestoringAnUnknownIdNamesTheSavedOnes) {
  testing::Scratch tmp;
  Session s = testing::FakeSession("/w", tmp.path());
  shell::Jail j;
  j.name = "j";
  j.workspace = "/w";
  j.tool = "claude";
  std::string id = shell::SessionId(1700000000, 1, {});
  fs::create_directories(s.sessions_dir + "/" + shell::WorkspaceHash("/w") + "/claude/" + id);
  auto r = RestoreToolState(s, j, {"dev", "/home/dev"}, "20990101-000000-1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("saved: " + id), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace forest::shellhost

#include "shellhost/tool_state.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "base/clock.h"
#include "base/files.h"
#include "base/strings.h"
#include "incus/api.h"
#include "incus/files.h"
#include "shellhost/run.h"

namespace forest::shellhost {

namespace fs = std::filesystem;
using shell::Jail;

namespace {

void Say(const std::string& s) { std::cerr << s << std::endl; }

// <sessions>/<workspace hash>/<tool>: one directory per saved session.
std::string ToolSessionsDir(const Session& s, const Jail& jail) {
  return s.sessions_dir + "/" + shell::WorkspaceHash(jail.workspace) + "/" + jail.tool;
}

}  // namespace

std::vector<std::string> SavedSessionIds(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory(ec) && shell::IsSessionId(name)) ids.push_back(name);
  }
  return ids;
}

Status SaveToolState(const Session& s, const Jail& jail, const Ready& r) {
  const auto it = s.config.tools.find(jail.tool);
  if (it == s.config.tools.end() || it->second.state.empty()) return {};
  auto c = s.Client();
  std::string base = ToolSessionsDir(s, jail);
  std::vector<std::string> have = SavedSessionIds(base);
  std::string id = shell::SessionId(UnixNow(), jail.slot, have);
  std::string final_dir = base + "/" + id;
  std::string tmp = base + "/." + id + ".new";
  FOREST_TRY(RemoveTree(tmp));
  FOREST_TRY(MakeDirs(tmp));
  int copied = 0;
  for (const auto& rel : it->second.state) {
    std::string src = r.home + "/" + rel;
    auto e = incus::GetFileEntry(c, jail.name, src);
    if (!e.ok()) continue;  // not there: nothing to keep
    fs::path dest = fs::path(tmp) / rel;
    FOREST_TRY(MakeDirs(dest.parent_path().string()));
    FOREST_ASSIGN_OR_RETURN(auto rep, incus::PullTree(c, jail.name, src, dest.parent_path().string(), true));
    for (const auto& sk : rep.skipped) Say("resume: left out " + sk);
    ++copied;
  }
  if (copied == 0) {
    // Nothing to keep: the last saved state stays what --resume restores.
    return RemoveTree(tmp);
  }
  FOREST_TRY(WriteFileAtomic(tmp + "/.forest-session.json", nlohmann::json{{"id", id},
                                                                           {"workspace", jail.workspace},
                                                                           {"tool", jail.tool},
                                                                           {"jail", jail.name},
                                                                           {"saved", UnixNow()}}
                                                                    .dump() +
                                                                "\n"));
  std::error_code ec;
  fs::rename(tmp, final_dir, ec);
  if (ec) return MakeError("saving tool state to " + final_dir + ": " + ec.message());
  have.push_back(id);
  for (const auto& old : shell::SessionsToPrune(have, shell::kKeptSessions)) {
    FOREST_TRY(RemoveTree(base + "/" + old));
  }
  Say("saved " + jail.tool + " session " + id + " (" + std::to_string(copied) +
      " path(s)); `--resume` restores the newest, `--resume " + id + "` this one");
  return {};
}

Status RestoreToolState(const Session& s, const Jail& jail, const Ready& r, const std::string& id) {
  std::string base = ToolSessionsDir(s, jail);
  std::vector<std::string> have = SavedSessionIds(base);
  std::string pick = id.empty() ? shell::LatestSession(have) : id;
  if (!id.empty() && std::find(have.begin(), have.end(), id) == have.end()) {
    std::sort(have.begin(), have.end());
    return MakeError("--resume " + id + ": no saved " + jail.tool + " session by that id for " +
                     jail.workspace +
                     (have.empty() ? std::string(" (there are none yet)") : "; saved: " + JoinComma(have)) +
                     "; `forest shell list --all` shows them");
  }
  if (pick.empty()) {
    Say("resume: no saved " + jail.tool + " state for " + jail.workspace + " yet; starting fresh");
    return {};
  }
  std::string dir = base + "/" + pick;
  std::error_code ec;
  auto c = s.Client();
  const auto& tool = s.config.tools.at(jail.tool);
  for (const auto& rel : tool.state) {
    fs::path src = fs::path(dir) / rel;
    if (!fs::exists(fs::symlink_status(src, ec))) continue;
    // Parents first, as the user; then the saved copy replaces what is there.
    std::string parent = fs::path(r.home + "/" + rel).parent_path().string();
    auto mk = incus::ExecOk(c, jail.name, AsUser(jail, {"mkdir", "-p", parent}));
    if (!mk.ok()) return mk.error();
    auto rm = incus::ExecOk(c, jail.name, {"rm", "-rf", r.home + "/" + rel});
    if (!rm.ok()) return rm.error();
    FOREST_ASSIGN_OR_RETURN(auto rep, incus::PushTree(c, jail.name, src.string(), r.home + "/" + rel, true,
                                                      jail.user.uid, jail.user.gid));
    (void)rep;
  }
  Say("resume: restored " + jail.tool + " session " + pick + " (" + dir + ")");
  return {};
}

nlohmann::json ListSavedSessions(const std::string& sessions_dir) {
  using Json = nlohmann::json;
  Json sessions = Json::array();
  std::error_code ec;
  // Directory order is the file system's: sorted here for a stable listing.
  std::vector<fs::path> tools;
  for (const auto& ws : fs::directory_iterator(sessions_dir, ec)) {
    for (const auto& tool : fs::directory_iterator(ws.path(), ec)) tools.push_back(tool.path());
  }
  std::sort(tools.begin(), tools.end());
  for (const auto& tool : tools) {
    auto ids = SavedSessionIds(tool.string());
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
      auto meta = ReadFile((tool / id / ".forest-session.json").string());
      Json m = meta.ok() ? Json::parse(*meta, nullptr, false) : Json();
      if (!m.is_object()) continue;
      m["id"] = id;
      m["path"] = (tool / id).string();
      sessions.push_back(m);
    }
  }
  return sessions;
}

}  // namespace forest::shellhost

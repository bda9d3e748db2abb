#include "up/shares.h"

#include <sys/stat.h>

#include <set>

#include "base/files.h"
#include "render/materialize.h"

namespace forest::up {

namespace {

// Adds `root:<id>:1` to this node's /etc/subuid or /etc/subgid so Incus
// accepts a raw.idmap for it; returns true when the file changed.
Result<bool> AllowSubid(const std::string& file, unsigned id) {
  std::string cur = ReadFile(file).ok() ? *ReadFile(file) : "";
  std::string line = "root:" + std::to_string(id) + ":1";
  if (("\n" + cur).find("\n" + line + "\n") != std::string::npos) return false;
  if (!cur.empty() && cur.back() != '\n') cur += "\n";
  FOREST_TRY(WriteFileAtomic(file, cur + line + "\n"));
  return true;
}

}  // namespace

Result<std::string> ShareIdmap(Level& l, const plan::NodePlan& child) {
  FOREST_ASSIGN_OR_RETURN(auto all, render::AllProfiles(l.t, l.plan, false));
  std::set<unsigned> uids, gids;
  for (const auto& p : all) {
    if (p.name != render::NodeProfileName(child)) continue;
    for (const auto& [dev, d] : p.devices) {
      auto src = d.find("source");
      if (d.at("type") != "disk" || src == d.end() || src->second.rfind("/opt/forest/shares/", 0) != 0) {
        continue;
      }
      struct stat st {};
      if (stat(src->second.c_str(), &st) != 0) {
        return MakeError(child.canonical_name + ": share source " + src->second +
                         " is missing in its parent (the relay from the host did not arrive)");
      }
      if (st.st_uid == 0 || st.st_gid == 0) {
        l.Say("warning: " + src->second + " is owned by root; " + child.label +
              " sees it owned by nobody (root is never mapped through)");
        continue;
      }
      uids.insert(st.st_uid);
      gids.insert(st.st_gid);
    }
  }
  std::string idmap;
  bool changed = false;
  for (unsigned u : uids) {
    idmap += "uid " + std::to_string(u) + " " + std::to_string(u) + "\n";
    FOREST_ASSIGN_OR_RETURN(bool c, AllowSubid("/etc/subuid", u));
    changed |= c;
  }
  for (unsigned g : gids) {
    idmap += "gid " + std::to_string(g) + " " + std::to_string(g) + "\n";
    FOREST_ASSIGN_OR_RETURN(bool c, AllowSubid("/etc/subgid", g));
    changed |= c;
  }
  if (changed) {
    // A script: restart, then wait (a minute at most) until the daemon answers.
    FOREST_ASSIGN_OR_RETURN(
        ProcessResult r,
        l.run.Run({.argv = {"sh", "-c",
                            "systemctl restart incus.service && for i in $(seq 60); do "
                            "curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 "
                            ">/dev/null && exit 0; sleep 1; done; exit 1"},
                   .merge_stderr = true}));
    if (r.exit_code != 0) return MakeError("restarting incus after a subuid change failed: " + r.out);
    l.Changed("allowed share owners in /etc/subuid, /etc/subgid and restarted incus");
  }
  return idmap;
}

}  // namespace forest::up

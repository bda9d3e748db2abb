#include "up/shares.h"

#include <sys/stat.h>

#include <set>

#include "base/files.h"
#include "idmap/owner.h"
#include "render/materialize.h"

namespace forest::up {

Result<std::string> ShareIdmap(Level& l, const plan::NodePlan& child) {
  FOREST_ASSIGN_OR_RETURN(auto all, render::AllProfiles(l.t, l.plan, false));
  std::set<unsigned> uids, gids;
  bool changed = false;
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
      if (!idmap::Mappable({st.st_uid, st.st_gid})) {
        l.Say("warning: " + src->second + " is owned by root; " + child.label +
              " sees it owned by nobody (root is never mapped through)");
        continue;
      }
      uids.insert(st.st_uid);
      gids.insert(st.st_gid);
      FOREST_ASSIGN_OR_RETURN(bool c, idmap::AllowOwner({st.st_uid, st.st_gid}));
      changed |= c;
    }
  }
  // Every owner mapped to itself, uids first (idmap::SelfMap's lines, merged).
  std::string idmap;
  for (unsigned u : uids) idmap += "uid " + std::to_string(u) + " " + std::to_string(u) + "\n";
  for (unsigned g : gids) idmap += "gid " + std::to_string(g) + " " + std::to_string(g) + "\n";
  if (changed) {
    FOREST_TRY(idmap::RestartIncus(l.run));
    l.Changed("allowed share owners in /etc/subuid, /etc/subgid and restarted incus");
  }
  return idmap;
}

}  // namespace forest::up

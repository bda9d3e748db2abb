#include "shellhost/snapshots.h"

#include "incus/client.h"

namespace forest::shellhost {

namespace {
std::string SnapshotsPath(const std::string& jail) {
  return "/1.0/instances/" + incus::Escape(jail) + "/snapshots";
}
}  // namespace

Result<std::vector<Snapshot>> ListSnapshots(const Session& s, const std::string& jail) {
  auto c = s.Client();
  FOREST_ASSIGN_OR_RETURN(auto list, c.Get(SnapshotsPath(jail) + "?recursion=1"));
  std::vector<Snapshot> out;
  for (const auto& x : list) out.push_back({x.value("name", ""), x.value("created_at", "")});
  return out;
}

Status TakeSnapshot(const Session& s, const std::string& jail, const std::string& name) {
  auto c = s.Client();
  auto r = c.Post(SnapshotsPath(jail), {{"name", name}, {"stateful", false}});
  if (!r.ok()) return r.error().Wrap("snapshot " + jail);
  return {};
}

Status RestoreSnapshot(const Session& s, const std::string& jail, const std::string& name) {
  auto c = s.Client();
  auto r = c.Put("/1.0/instances/" + incus::Escape(jail), {{"restore", name}});
  if (!r.ok()) return r.error().Wrap("restore " + jail);
  return {};
}

}  // namespace forest::shellhost

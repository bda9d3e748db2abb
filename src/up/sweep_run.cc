#include "up/sweep_run.h"

#include <unistd.h>

#include "base/files.h"
#include "up/shell.h"
#include "up/sweep.h"

namespace forest::up {

namespace {

Result<nlohmann::json> ShellJson(const std::string& cmd) {
  int rc = 0;
  std::string out = Shell(cmd + " 2>/dev/null", &rc);
  if (rc != 0) return MakeError("`" + cmd + "` failed (exit " + std::to_string(rc) + ")");
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded()) return MakeError("`" + cmd + "` printed no JSON");
  return j;
}

}  // namespace

Result<std::vector<std::string>> SweepLocal(incus::Client& c, const std::set<std::string>& projects) {
  SweepInput in;
  in.projects = projects;
  // Rules first, then what Incus says: a chain seen here belongs to an
  // instance that already existed when the list below was taken.
  FOREST_ASSIGN_OR_RETURN(in.nft, ShellJson("nft -j list ruleset"));
  FOREST_ASSIGN_OR_RETURN(in.links, ShellJson("ip -j link show"));
  incus::Client all = c.WithProject("");
  FOREST_ASSIGN_OR_RETURN(in.instances, all.Get("/1.0/instances?recursion=1&all-projects=true"));
  FOREST_ASSIGN_OR_RETURN(in.operations, all.Get("/1.0/operations?recursion=1&all-projects=true"));
  SweepPlan plan = PlanSweep(in);
  if (plan.empty()) return std::vector<std::string>{};
  std::vector<std::string> done;
  for (size_t i = 0; i < plan.links.size(); ++i) {
    int rc = 0;
    // The name is one the kernel listed and PlanSweep checked ([A-Za-z0-9_.-]).
    std::string out = Shell("ip link delete " + plan.links[i] + " 2>&1", &rc);
    if (rc != 0) return MakeError("ip link delete " + plan.links[i] + ": " + out);
    done.push_back(plan.log[i]);
  }
  if (std::string batch = NftBatch(plan); !batch.empty()) {
    std::string path = "/run/forest-sweep-" + std::to_string(getpid()) + ".nft";
    FOREST_TRY(WriteFileAtomic(path, batch));
    int rc = 0;
    std::string out = Shell("nft -f " + path + " 2>&1", &rc);
    unlink(path.c_str());
    if (rc != 0) return MakeError("nft -f (sweep): " + out);
    done.insert(done.end(), plan.log.begin() + static_cast<long>(plan.links.size()), plan.log.end());
  }
  return done;
}

}  // namespace forest::up

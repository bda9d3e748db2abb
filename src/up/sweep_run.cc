#include "up/sweep_run.h"

#include "base/nft.h"
#include "up/sweep.h"

namespace forest::up {

Result<std::vector<std::string>> SweepLocal(incus::Client& c, const std::set<std::string>& projects,
                                            ProcessRunner& run) {
  SweepInput in;
  in.projects = projects;
  Nft nft(run);
  // Rules first, then what Incus says: a chain seen here belongs to an
  // instance that already existed when the list below was taken.
  FOREST_ASSIGN_OR_RETURN(in.nft, nft.ListRuleset());
  FOREST_ASSIGN_OR_RETURN(ProcessResult links,
                          run.Run({.argv = {"ip", "-j", "link", "show"}, .err = Stdio::kNull}));
  if (links.exit_code != 0)
    return MakeError("`ip -j link show` failed (exit " + std::to_string(links.exit_code) + ")");
  in.links = nlohmann::json::parse(links.out, nullptr, false);
  if (in.links.is_discarded()) return MakeError("`ip -j link show` printed no JSON");
  incus::Client all = c.WithProject("");
  FOREST_ASSIGN_OR_RETURN(in.instances, all.Get("/1.0/instances?recursion=1&all-projects=true"));
  FOREST_ASSIGN_OR_RETURN(in.operations, all.Get("/1.0/operations?recursion=1&all-projects=true"));
  SweepPlan plan = PlanSweep(in);
  if (plan.empty()) return std::vector<std::string>{};
  std::vector<std::string> done;
  for (size_t i = 0; i < plan.links.size(); ++i) {
    // The name is one the kernel listed and PlanSweep checked ([A-Za-z0-9_.-]).
    FOREST_ASSIGN_OR_RETURN(ProcessResult r,
                            run.Run({.argv = {"ip", "link", "delete", plan.links[i]}, .merge_stderr = true}));
    if (r.exit_code != 0) return MakeError("ip link delete " + plan.links[i] + ": " + r.out);
    done.push_back(plan.log[i]);
  }
  if (std::string batch = NftBatch(plan); !batch.empty()) {
    FOREST_TRY(nft.Load(batch, "sweep"));
    done.insert(done.end(), plan.log.begin() + static_cast<long>(plan.links.size()), plan.log.end());
  }
  return done;
}

}  // namespace forest::up

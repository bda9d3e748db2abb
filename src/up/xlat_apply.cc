#include "up/xlat_apply.h"

#include <sstream>

#include "base/files.h"
#include "render/embedded.h"
#include "xlat/xlat.h"

namespace forest::up {
Result<XlatRun> ApplyXlat(const plan::Plan& plan, const plan::NodePlan& self, const std::string& mode,
                          ProcessRunner& proc) {
  xlat::Wiring s = xlat::ForNode(plan, self);
  XlatRun run;
  run.role = xlat::RoleName(s.role);
  if (s.role == xlat::Role::kNone) return run;
  bool changed = false;
  if (mode == "up") {
    FOREST_TRY(MakeDirs(xlat::kConfigDir));
    for (const auto& [name, text] : s.files) {
      FOREST_ASSIGN_OR_RETURN(bool wrote, WriteFileIfChanged(std::string(xlat::kConfigDir) + "/" + name, text));
      changed |= wrote;
    }
  }
  FOREST_ASSIGN_OR_RETURN(std::string script, render::EmbeddedText("node/xlat.sh"));
  FOREST_TRY(MakeDirs("/run/forest"));
  FOREST_TRY(WriteFileIfChanged("/run/forest/xlat.sh", script, 0755));
  Command c{.argv = {"bash", "/run/forest/xlat.sh", mode}, .merge_stderr = true};
  for (const auto& [k, v] : s.env) c.env[k] = v;
  c.env["XLAT_CHANGED"] = changed ? "1" : "0";
  auto r = proc.Run(c);
  run.rc = r.ok() ? r->exit_code : -1;
  std::istringstream in(r.ok() ? r->out : std::string());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) run.lines.push_back(line);
  }
  return run;
}

}  // namespace forest::up

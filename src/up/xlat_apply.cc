#include "up/xlat_apply.h"

#include <sstream>

#include "base/files.h"
#include "render/embedded.h"
#include "up/shell.h"
#include "xlat/xlat.h"

namespace forest::up {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<XlatRun> ApplyXlat(const plan::Plan& plan, const plan::NodePlan& self, const std::string& mode) {
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
  std::string cmd = "env";
  for (const auto& [k, v] : s.env) cmd += " " + k + "=" + ShellQuote(v);
  cmd += std::string(" XLAT_CHANGED=") + (changed ? "1" : "0") + " bash /run/forest/xlat.sh " + ShellQuote(mode);
  std::string out = Shell(cmd, &run.rc);
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) run.lines.push_back(line);
  }
  return run;
}

}  // namespace forest::up

#include "shellhost/health.h"

#include <sstream>

#include "incus/api.h"
#include "shellhost/policy.h"

namespace forest::shellhost {

std::map<std::string, double> MetricsOf(const std::string& text, const std::string& name) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  std::string needle = "name=\"" + name + "\"";
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.find(needle) == std::string::npos) continue;
    auto brace = line.find('{');
    auto space = line.rfind(' ');
    if (brace == std::string::npos || space == std::string::npos) continue;
    try {
      out[line.substr(0, brace)] += std::stod(line.substr(space + 1));
    } catch (...) {
      // A value that is not a number (NaN spelled otherwise): skip it.
    }
  }
  return out;
}

Result<std::map<std::string, double>> JailMetrics(const Session& s, const std::string& jail) {
  auto c = s.Client();
  FOREST_ASSIGN_OR_RETURN(std::string text, c.GetRaw("/1.0/metrics"));
  auto m = MetricsOf(text, jail);
  if (m.empty()) return MakeError("Incus reports no metrics for " + jail + " (is it running?)");
  return m;
}

Health CheckHealth(const Session& s, const shell::State& st) {
  Health h;
  auto global = s.Client().WithProject("");
  auto check = [&](const std::string& what, bool ok, const std::string& fix) {
    h.checks.push_back({what, ok, ok ? "" : fix});
  };
  bool incus_up = global.Get("/1.0").ok();
  check("incusd answers", incus_up, "start it: scripts/start-incus (or systemctl start incus)");
  h.code = incus_up ? 0 : 2;
  if (incus_up && !st.jails.empty()) {
    auto c = s.Client();
    auto helper = incus::InstanceStatus(c, "forest-helper");
    bool helper_ok = helper.ok() && *helper == "Running";
    check("helper running", helper_ok, "run `forest shell` again to converge it");
    bool policy = TableLoaded(PolicyTable(s.config.forest));
    check("network policy loaded", policy, "`forest shell net refresh` loads it again");
    if (!helper_ok || !policy) h.code = 1;
    for (const auto& j : st.jails) {
      auto status = incus::InstanceStatus(c, j.name);
      bool running = status.ok() && *status == "Running";
      bool fine = running || (j.persistent && status.ok() && *status == "Stopped");
      check("jail " + j.name + " " + (status.ok() ? *status : "missing"), fine,
            "`forest shell clean` drops it, or `forest shell` in " + j.workspace + " starts it");
      if (!fine) h.code = 1;
    }
  }
  return h;
}

}  // namespace forest::shellhost

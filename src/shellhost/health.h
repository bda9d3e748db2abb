// How a forest shell forest is doing: a jail's figures from Incus's metrics
// endpoint, and the health checks of `forest shell health`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// Incus's metrics (Prometheus text) for one instance: metric → summed value.
std::map<std::string, double> MetricsOf(const std::string& text, const std::string& name);
// The same fetched from Incus; an error when it reports none for `jail`.
Result<std::map<std::string, double>> JailMetrics(const Session& s, const std::string& jail);

struct Check {
  std::string what;
  bool ok = false;
  std::string fix;  // "" when ok
};
struct Health {
  std::vector<Check> checks;
  int code = 0;  // 0 healthy, 1 degraded, 2 Incus unreachable
};
// incusd answers; with jails, the helper runs, the policy is loaded and
// every jail is up (or a stopped persistent one).
Health CheckHealth(const Session& s, const shell::State& st);

}  // namespace forest::shellhost

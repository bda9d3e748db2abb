#include "up/host_dns.h"

#include <filesystem>

#include "base/files.h"

namespace forest::up {

namespace {

namespace fs = std::filesystem;

// systemctl's own output goes nowhere; its exit status says.
bool ReloadResolved(ProcessRunner& runner) {
  auto r = runner.Run({.argv = {"systemctl", "try-reload-or-restart", "systemd-resolved"},
                       .out = Stdio::kNull,
                       .err = Stdio::kNull});
  return r.ok() && r->ok();
}

}  // namespace

HostDnsTarget HostDnsTargetFor(const std::string& root) {
  std::error_code ec;
  return {root + "/etc/systemd/resolved.conf.d", root.empty() && fs::exists("/run/systemd/resolve", ec)};
}

std::string DropInPath(const HostDnsTarget& t, const std::string& forest) {
  return t.dropin_dir + "/forest-" + forest + ".conf";
}

std::string DropInText(const std::string& forest, const std::string& helper) {
  return "# forest '" + forest +
         "': names under .incus come from its helper.\n"
         "# Written by `forest host-dns install`; `forest host-dns remove` deletes it.\n"
         "[Resolve]\nDNS=" +
         helper + "\nDomains=~incus\n";
}

Result<HostDnsChange> InstallHostDns(const HostDnsTarget& t, const std::string& forest,
                                     const std::string& helper, ProcessRunner& runner) {
  HostDnsChange c{DropInPath(t, forest), true, t.resolved_runs, false};
  FOREST_TRY(MakeDirs(t.dropin_dir));
  FOREST_TRY(WriteFileAtomic(c.file, DropInText(forest, helper)));
  if (t.resolved_runs) c.reloaded = ReloadResolved(runner);
  return c;
}

HostDnsChange RemoveHostDns(const HostDnsTarget& t, const std::string& forest, ProcessRunner& runner) {
  HostDnsChange c{DropInPath(t, forest), false, t.resolved_runs, false};
  std::error_code ec;
  c.changed = fs::remove(c.file, ec);
  if (c.changed && t.resolved_runs) c.reloaded = ReloadResolved(runner);
  return c;
}

}  // namespace forest::up

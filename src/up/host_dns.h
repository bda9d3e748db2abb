// `forest host-dns install|remove`: teaches this host's resolver to ask a
// forest's helper for .incus with a systemd-resolved drop-in (DNS=<helper>,
// Domains=~incus), and reloads systemd-resolved, through a ProcessRunner,
// when it runs.
#pragma once

#include <string>

#include "base/process.h"
#include "base/result.h"

namespace forest::up {

// Where the drop-ins go, and whether systemd-resolved is reloaded after a
// change.
struct HostDnsTarget {
  std::string dropin_dir;
  bool resolved_runs = false;
};
// `root` "": this host (/etc/systemd/resolved.conf.d; systemd-resolved runs
// when /run/systemd/resolve exists). Else below `root`, for packaging and
// tests, and nothing is reloaded.
HostDnsTarget HostDnsTargetFor(const std::string& root);

// The drop-in's path and text for forest `forest` with its helper at `helper`.
std::string DropInPath(const HostDnsTarget& t, const std::string& forest);
std::string DropInText(const std::string& forest, const std::string& helper);

struct HostDnsChange {
  std::string file;            // the drop-in
  bool changed = false;        // written; or removed (false: there was none)
  bool resolved_runs = false;  // as the target says
  bool reloaded = false;       // systemd-resolved took the change
};

// Writes the drop-in, then reloads systemd-resolved when it runs.
Result<HostDnsChange> InstallHostDns(const HostDnsTarget& t, const std::string& forest,
                                     const std::string& helper, ProcessRunner& runner);
// Removes the drop-in, then reloads systemd-resolved when it runs and there was one.
HostDnsChange RemoveHostDns(const HostDnsTarget& t, const std::string& forest, ProcessRunner& runner);

}  // namespace forest::up

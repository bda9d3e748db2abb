#pragma once
// The incus client, run for `incus exec` (forest shell, forest exec -t).

#include <string>
#include <vector>

namespace forest::incus {

// Where the incus client keeps its settings: $INCUS_CONF, else this
// process's own user's ~/.config/incus (not $HOME's: run by root with a
// user's HOME, `sudo -E`, the client would leave a root-owned folder in the
// user's home); "" when there is no such user.
std::string ClientConfDir();

// Runs ARGV (the incus client) with INCUS_CONF=CONF when CONF is not empty,
// its stdio this process's, and waits (base/process.h): its exit code,
// 128 + a signal, or 127 if it could not start.
int RunClient(const std::vector<std::string>& argv, const std::string& conf);

// Runs ARGV (the incus client: `incus exec … -T -- CMD`) with INCUS_CONF=CONF
// when CONF is not empty, passes its stdout and stderr through and returns its
// exit code (127 if it could not start). The command after "--" runs under
// `sh -c` (a start mark on stderr, taken out again). When incusd lost the
// command's pid and it did not start, the exec is started again, twice at
// most, if stdin can be given again (a terminal, /dev/null, a regular file);
// that error line is printed only when it is the last word.
int RunCliExec(const std::vector<std::string>& argv, const std::string& conf);

}  // namespace forest::incus

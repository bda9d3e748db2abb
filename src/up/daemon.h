// forestd as a systemd service: in each node (`--role node`, set up by the
// node's own `forest node-up`) and in the helper container (`--role helper`,
// set up from the host). The unit names the release, so a new forest binary
// restarts the daemon; an unchanged one leaves it running.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "base/process.h"
#include "base/result.h"
#include "incus/client.h"

namespace forest::up {

inline constexpr char kDaemonUnitPath[] = "/etc/systemd/system/forestd.service";

// The unit text. `args` follow `forestd`; `release` marks the binary.
std::string DaemonUnit(const std::string& role, const std::string& args, const std::string& release);

// Inside a node: writes the unit if it differs, then (re)starts forestd.
// Returns what it did ("" = nothing).
Result<std::string> EnsureLocalDaemon(ProcessRunner& run, const std::string& unit);

// In an instance of `c` (the helper): the same through Incus.
Result<std::string> EnsureDaemonIn(incus::Client& c, const std::string& instance, const std::string& unit);

// Polls http://[address]:port/healthz until it answers 200.
Status WaitHealthy(const std::string& what, const std::string& address, uint16_t port,
                   std::chrono::seconds timeout);

}  // namespace forest::up

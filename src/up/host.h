// Host preparation for `forest up` (host bridge, the uplink guard, Incus's
// https address; the storage pool is up/storage.h) and what `forest down`
// undoes of it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/ip.h"
#include "up/image_server.h"
#include "up/level.h"

namespace forest::up {

// Description that lets `down` recognise host objects `up` made.
std::string MadeBy(const topology::Topology& t, const std::string& what);

// The Incus object at `path` (a pool, a network) once it is no longer
// Pending (or after l.o.settle), as it is; nullopt when there is none to
// use: missing, or left in one of the `unfinished` states by a create that
// never finished (an `up` killed during it: Incus keeps it so for good) and
// ours (`marker`), then deleted to be made again. Such an object that is not
// ours is an error ending in `fix`. `what`: "storage pool default".
Result<std::optional<nlohmann::json>> SettledOrGone(Level& l, const std::string& path,
                                                    const std::string& what, const std::string& marker,
                                                    const std::vector<std::string>& unfinished,
                                                    const std::string& fix);

Status EnsureHostBridge(Level& l);

// The nft table of the uplink guard.
std::string GuardTable(const topology::Topology& t);
// The devices of the default routes in `ip -o route show default` output.
std::vector<std::string> DefaultRouteDevices(const std::string& routes);
// The guard's ruleset: forwarded forest traffic never leaves through `devs`.
std::string GuardRuleset(const topology::Topology& t, const plan::Plan& plan,
                         const std::vector<std::string>& devs);
// Test hygiene (DESIGN.md): loads the guard for the machine's uplinks.
Status GuardUplink(Level& l);

// Child nodes pull images from their parent over https: where Incus listens
// already (another forest may have set it), else on `address`; `remember`
// notes a change in the state directory for `down`.
Result<ImageServer> EnsureHttpsAddress(Level& l, const net::Ipv6Address& address, bool remember);
Result<std::string> ServerCertificate(incus::Client& c);

}  // namespace forest::up

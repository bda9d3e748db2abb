// A forest shell jail's life after its launch: its status, a graceful stop,
// its removal (instance, profile, state record, policy, placeholders), the
// clean-up of stopped ephemeral jails, and removing the whole shell forest.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// `forest shell list`'s record of a jail, with its Incus status ("missing"
// when Incus has no such instance).
nlohmann::json JailInfo(const Session& s, const shell::Jail& j);

// Stops `name` gracefully within `timeout` seconds; forces it after that,
// saying so first.
Status Stop(const Session& s, const std::string& name, int timeout,
            const std::function<void(const std::string&)>& say);

// Deletes the jail's instance and profile and drops it from the state and
// the network policy.
Status Remove(Session& s, shell::State& st, const std::string& name);
// Removes the whole shell forest (every jail, the helper, project, bridge).
Status RemoveAll(Session& s);
// Removes stopped ephemeral jails and the records of jails Incus no longer
// has; returns how many went.
Result<int> Clean(Session& s, shell::State& st);

}  // namespace forest::shellhost

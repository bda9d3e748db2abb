// A tool's state between forest shell sessions: pulled from the jail user's
// home into the session store after a session (never following symlinks),
// pushed back by --resume, pruned to the newest few, listed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// Saves the tool's state paths from the jail user's home.
Status SaveToolState(const Session& s, const shell::Jail& jail, const Ready& r);
// `id` "" = the newest saved session; otherwise that one (an error names the saved ids).
Status RestoreToolState(const Session& s, const shell::Jail& jail, const Ready& r, const std::string& id);
// The ids of the sessions saved under a <workspace hash>/<tool> directory.
std::vector<std::string> SavedSessionIds(const std::string& dir);
// Every saved session under `sessions_dir`: its .forest-session.json with
// "id" and "path" added, by workspace, tool and id.
nlohmann::json ListSavedSessions(const std::string& sessions_dir);

}  // namespace forest::shellhost

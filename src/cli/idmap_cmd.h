// `forest idmap` (hidden, inside a node): the nested contract for a shared
// folder's owner (idmap/idmap.h), for the incus shim. Its entry in the
// command table (app.cc) is { "idmap", ..., AddIdmapCommand }.
#pragma once

#include "cli/command.h"

namespace forest::cli {

void AddIdmapCommand(CLI::App& app, Context& ctx);

}  // namespace forest::cli

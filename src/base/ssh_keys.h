#pragma once
// The public keys of the person running forest, for root logins in nodes.

#include <string>

#include "base/process.h"

namespace forest {

// The ssh-agent's keys (`ssh-add -L` when SSH_AUTH_SOCK is set) and
// ~/.ssh/id_*.pub of the invoking user (under sudo, of their passwd home,
// whatever HOME sudo left), one per line.
std::string HostAuthorizedKeys(ProcessRunner& runner = SystemRunner());

}  // namespace forest

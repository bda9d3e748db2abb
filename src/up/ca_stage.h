// Staging the host's mkcert root into the helper's state (DESIGN.md, Trust):
// the only place the root key goes. Nodes and workloads never get it.
#pragma once

#include <string>

#include "base/result.h"
#include "incus/client.h"
#include "trust/x509.h"

namespace forest::up {

inline constexpr char kHelperCaDir[] = "/var/lib/forestd/ca";

// Writes rootCA.pem and rootCA-key.pem (0600) into the helper instance's
// kHelperCaDir (0700), each by rename; returns whether anything changed.
Result<bool> StageRoot(incus::Client& c, const std::string& helper, const trust::RootFiles& root);

}  // namespace forest::up

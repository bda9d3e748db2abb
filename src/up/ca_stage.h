// Staging the host's mkcert root into the helper's state (DESIGN.md, Trust):
// the only place the root key goes. Nodes and workloads never get it.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "incus/client.h"
#include "trust/x509.h"

namespace forest::up {

inline constexpr char kHelperCaDir[] = "/var/lib/forestd/ca";

// The root certificate the helper signs with ("" when none is staged).
Result<std::string> StagedRootCert(incus::Client& c, const std::string& helper);

// Writes rootCA.pem and rootCA-key.pem (0600) into the helper instance's
// kHelperCaDir (0700), each by rename; returns whether anything changed.
// A different root already staged is replaced only with `replace`: every
// certificate of the forest chains to it, so it never changes silently (an
// error names both roots and what to do).
Result<bool> StageRoot(incus::Client& c, const std::string& helper, const trust::RootFiles& root,
                       const std::string& caroot_dir, bool replace);

// `forest ca stage`: the mkcert root in `caroot_dir` (made there if absent,
// owned by the user who ran sudo; `say` is told so before it is staged)
// staged by StageRoot.
struct CarootStaged {
  bool changed = false;  // StageRoot wrote it (false: already staged)
  std::string subject;   // the root's subject ("" when it does not read)
};
Result<CarootStaged> StageCaroot(incus::Client& c, const std::string& helper, const std::string& caroot_dir,
                                 bool replace, const std::function<void(const std::string&)>& say);

}  // namespace forest::up

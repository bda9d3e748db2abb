// `forest doctor`'s facts: the host's files, its Incus and its PATH for the
// host checks; for a node, `forest xlat status --json` run in it through
// Incus. Thin: what the facts mean is checks.h's.
#pragma once

#include <functional>
#include <string>

#include "base/files.h"
#include "base/result.h"
#include "doctor/checks.h"
#include "incus/client.h"

namespace forest::doctor {

// Where the host's facts are read: this host by default. Tests put the
// files below a directory and say what is on PATH.
struct HostProbe {
  std::string root;  // put before every host path read ("" = /)
  std::function<bool(const std::string&)> on_path = OnPath;
  std::string caroot;  // mkcert's CAROOT ("" = trust::DefaultCaroot())
};

// Reads every fact HostFindings checks; `incus` is the host's Incus (any
// project). Never fails: what cannot be read is a fact too.
HostFacts GatherHostFacts(incus::Client& incus, const HostProbe& probe = {});

// Runs `forest xlat status --json` in NODE (a node of a forest brought up
// here, by canonical name or unique label) and reads its answer.
Result<NodeReport> CheckNode(const std::string& node);

}  // namespace forest::doctor

// Incus profile documents as rendered into final/: config keys, devices and
// a deterministic YAML form (sorted keys, quoted scalars, literal blocks for
// multi-line values such as cloud-init user data).
#pragma once

#include <map>
#include <string>

namespace forest::render {

struct IncusProfile {
  std::string name;
  std::string description;
  std::map<std::string, std::string> config;
  std::map<std::string, std::map<std::string, std::string>> devices;
};

// YAML accepted by `incus profile edit` / the profiles API.
std::string ProfileYaml(const IncusProfile& profile);

}  // namespace forest::render

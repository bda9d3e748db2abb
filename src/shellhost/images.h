// forest shell's images: a jail published as an image for new jails (a
// scrubbed copy, the live jail untouched), the images of the shell forest's
// project, and the clean-up of unused images and old cached builds.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// Publishes jail `j` as image `alias`: a copy of it, started without a
// network and stripped of its node identity (templates/shell/scrub.sh), is
// published and deleted; the live jail is not touched. Returns the
// fingerprint.
Result<std::string> PublishJail(const Session& s, const shell::Jail& j, const std::string& alias,
                                const std::function<void(const std::string&)>& say);

// Images of the shell forest's project that no alias names and no instance
// was made from (volatile.base_image), and cached image builds whose recipe
// is not the current one. Returns what went (or would go).
Result<std::vector<std::string>> CleanupImages(const Session& s, bool dry_run);

struct ImageInfo {
  std::string fingerprint;  // the first 12 digits
  std::string alias;        // the first alias, or ""
  std::string description;
  long long size = 0;
};
// The shell forest project's images (none when Incus does not answer).
std::vector<ImageInfo> ListImages(const Session& s);

}  // namespace forest::shellhost

// Generator-owned templates compiled into the binary from templates/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest::render {

struct EmbeddedFile {
  std::string_view path;      // relative to templates/
  std::string_view contents;
};

// All templates, sorted by path.
const std::vector<EmbeddedFile>& EmbeddedTemplates();

// One template's text ("node/prepare.sh"); an internal error if it is not embedded.
inline Result<std::string> EmbeddedText(std::string_view path) {
  for (const auto& f : EmbeddedTemplates()) {
    if (f.path == path) return std::string(f.contents);
  }
  return MakeError("internal: templates/" + std::string(path) + " is not embedded");
}

}  // namespace forest::render

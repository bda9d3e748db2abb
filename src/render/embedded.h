// Generator-owned templates compiled into the binary from templates/.
#pragma once

#include <string_view>
#include <vector>

namespace forest::render {

struct EmbeddedFile {
  std::string_view path;      // relative to templates/
  std::string_view contents;
};

// All templates, sorted by path.
const std::vector<EmbeddedFile>& EmbeddedTemplates();

}  // namespace forest::render

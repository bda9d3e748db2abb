#include "idmap/idmap.h"

#include <sstream>

namespace forest::idmap {

bool Mappable(const Owner& o) { return o.uid != 0 && o.gid != 0; }

std::optional<std::string> WithRootId(const std::string& text, unsigned id) {
  std::string want = "root:" + std::to_string(id) + ":1";
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line == want) return std::nullopt;
  }
  std::string out = text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + want + "\n";
}

std::string SelfMap(const Owner& o) {
  std::string u = std::to_string(o.uid), g = std::to_string(o.gid);
  return "uid " + u + " " + u + "\ngid " + g + " " + g + "\n";
}

}  // namespace forest::idmap

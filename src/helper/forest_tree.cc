#include "helper/forest_tree.h"

#include <functional>
#include <map>
#include <set>
#include <vector>

namespace forest::helper {

namespace {

using Json = nlohmann::json;

std::string Join(const Json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& x : list) {
    if (!x.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += x.get<std::string>();
  }
  return out;
}

}  // namespace

std::string RenderTree(const Json& forest) {
  std::set<std::string> nodes;
  if (forest.contains("nodes") && forest["nodes"].is_array()) {
    for (const auto& n : forest["nodes"]) {
      if (n.is_object() && n.contains("name") && n["name"].is_string()) nodes.insert(n["name"].get<std::string>());
    }
  }
  std::map<std::string, const Json*> names;
  if (forest.contains("names") && forest["names"].is_array()) {
    for (const auto& n : forest["names"]) {
      if (n.is_object() && n.contains("name") && n["name"].is_string()) names[n["name"].get<std::string>()] = &n;
    }
  }
  // Parent = the longest proper suffix (on a label boundary) that is a name too.
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> tops;
  for (const auto& [name, entry] : names) {
    std::string parent;
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
      std::string suffix = name.substr(dot + 1);
      if (names.count(suffix)) {
        parent = suffix;
        break;
      }
    }
    (parent.empty() ? tops : children[parent]).push_back(name);
  }
  std::string out;
  std::function<void(const std::string&, int)> show = [&](const std::string& name, int depth) {
    const Json& e = *names.at(name);
    out += std::string(2 * depth, ' ') + name + (nodes.count(name) ? "  [node]" : "");
    std::string addresses = Join(e.value("addresses", Json::array()));
    if (!addresses.empty()) out += "  " + addresses;
    std::string aliases = Join(e.value("aliases", Json::array()));
    if (!aliases.empty()) out += "  aliases: " + aliases;
    out += "\n";
    for (const auto& c : children[name]) show(c, depth + 1);
  };
  for (const auto& t : tops) show(t, 0);
  if (names.empty()) out += "(no names published yet)\n";
  return out;
}

}  // namespace forest::helper

#include "helper/forest_tree.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "api/paths.h"

namespace forest::helper {

namespace {

template <typename T, typename Text>
std::string Join(const std::vector<T>& list, Text text) {
  std::string out;
  for (const auto& x : list) {
    if (!out.empty()) out += ", ";
    out += text(x);
  }
  return out;
}

}  // namespace

Result<api::ForestReply> AskForest(api::ForestdClient& client, const std::string& forest,
                                   const net::Ipv6Address& helper) {
  std::string address = helper.ToString();
  auto body = client.Forest(address, kTreeTimeout);
  if (!body.ok()) {
    return MakeError("the helper of '" + forest + "' at [" + address + "]:" + std::to_string(api::kPort) +
                     " did not answer (" + body.error().message + "); `forest status` shows whether it runs");
  }
  if (!nlohmann::json::accept(*body)) return MakeError("the helper answered something that is not JSON");
  auto view = api::ParseForestReply(*body);
  if (!view.ok()) return view.error().Wrap("the helper answered something unexpected");
  return view;
}

std::string RenderTree(const api::ForestReply& forest) {
  std::set<std::string> nodes;
  for (const auto& n : forest.nodes) nodes.insert(n.name);
  std::map<std::string, const api::ForestName*> names;
  for (const auto& n : forest.names) names[n.name] = &n;
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
    const api::ForestName& e = *names.at(name);
    out += std::string(2 * depth, ' ') + name + (nodes.count(name) ? "  [node]" : "");
    std::string addresses = Join(e.addresses, [](const net::Ipv6Address& a) { return a.ToString(); });
    if (!addresses.empty()) out += "  " + addresses;
    std::string aliases = Join(e.aliases, [](const std::string& a) { return a; });
    if (!aliases.empty()) out += "  aliases: " + aliases;
    out += "\n";
    for (const auto& c : children[name]) show(c, depth + 1);
  };
  for (const auto& t : tops) show(t, 0);
  if (names.empty()) out += "(no names published yet)\n";
  return out;
}

}  // namespace forest::helper

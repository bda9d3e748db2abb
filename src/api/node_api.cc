#include "api/node_api.h"

namespace forest::api {

using Json = nlohmann::json;

Result<Poke> ParsePoke(std::string_view body) {
  if (body.size() > kMaxPokeBody) {
    return MakeError("poke: " + std::to_string(body.size()) + " bytes; the limit is " +
                     std::to_string(kMaxPokeBody));
  }
  Json j = Json::parse(body.empty() ? std::string_view("{}") : body, nullptr, false);
  auto child = j.is_object() ? j.find("child") : j.end();
  if (!j.is_object() || (child != j.end() && !child->is_string())) {
    return MakeError("expected {} or {\"child\": \"<label>\"}");
  }
  Poke p;
  if (child != j.end()) p.child = child->get<std::string>();
  return p;
}

std::string SerializePoke(const Poke& p) { return p.child.empty() ? "{}" : Json{{"child", p.child}}.dump(); }

Json ToJson(const NodeStatus& s) {
  return {{"node", s.node}, {"waiting", s.waiting}, {"rounds", s.rounds}, {"export", s.exported}};
}

Result<NodeStatus> ParseNodeStatus(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_object()) return MakeError("node status: expected a JSON object");
  NodeStatus s;
  auto node = j.find("node"), waiting = j.find("waiting"), rounds = j.find("rounds");
  if (node == j.end() || !node->is_string()) return MakeError("node status: node: expected a canonical name");
  s.node = node->get<std::string>();
  if (waiting == j.end() || !waiting->is_array())
    return MakeError("node status: waiting: expected a list of names");
  for (const auto& w : *waiting) {
    if (!w.is_string()) return MakeError("node status: waiting: expected a list of names");
    s.waiting.push_back(w.get<std::string>());
  }
  if (rounds == j.end() || !rounds->is_number_unsigned())
    return MakeError("node status: rounds: expected a count");
  s.rounds = rounds->get<uint64_t>();
  if (auto e = j.find("export"); e != j.end()) s.exported = *e;
  return s;
}

}  // namespace forest::api

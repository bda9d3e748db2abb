#include "api/helper_api.h"

#include "naming/names.h"
#include "trust/san_policy.h"

namespace forest::api {
namespace {

using Json = nlohmann::json;

Json ParseObject(std::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  return j.is_object() ? j : Json();
}

Status Strings(const Json& j, const char* key, std::vector<std::string>* out) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (!it->is_array()) return MakeError(std::string(key) + ": expected a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return MakeError(std::string(key) + ": expected a list of strings");
    out->push_back(v.get<std::string>());
  }
  return {};
}

// --- GET /v1/forest: each reader names its field (`names[2].aliases[0]`).

std::string Field(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

Result<const Json*> Member(const Json& obj, const std::string& path, const char* key, Json::value_t type,
                           const char* wanted) {
  auto it = obj.find(key);
  if (it == obj.end()) return MakeError(Field(path, key) + ": missing");
  if (it->type() != type) return MakeError(Field(path, key) + ": expected " + wanted);
  return &*it;
}

Result<std::string> NameAt(const Json& v, const std::string& at) {
  if (!v.is_string()) return MakeError(at + ": expected a name");
  std::string name = v.get<std::string>();
  if (auto s = naming::ValidateName(name); !s.ok()) return s.error().Wrap(at);
  return name;
}

Result<net::Ipv6Address> AddressAt(const Json& v, const std::string& at) {
  if (!v.is_string()) return MakeError(at + ": expected an IPv6 address");
  auto a = net::Ipv6Address::Parse(v.get<std::string>());
  if (!a.ok()) return a.error().Wrap(at);
  return *a;
}

Result<net::Ipv6Prefix> PrefixAt(const Json& v, const std::string& at) {
  constexpr size_t kMaxPrefixText = 49;  // an IPv6 address, "/", three digits
  if (!v.is_string() || v.get_ref<const std::string&>().size() > kMaxPrefixText) {
    return MakeError(at + ": expected an IPv6 prefix");
  }
  auto p = net::Ipv6Prefix::Parse(v.get<std::string>());
  if (!p.ok()) return p.error().Wrap(at);
  return *p;
}

Result<bool> BoolAt(const Json& obj, const std::string& path, const char* key) {
  FOREST_ASSIGN_OR_RETURN(const Json* v, Member(obj, path, key, Json::value_t::boolean, "true or false"));
  return v->get<bool>();
}

// Member `key` of `obj`, read by `read(value, "path.key")` (which checks its
// type); an error when it is missing.
template <typename Read>
auto Required(const Json& obj, const std::string& path, const char* key, Read read) {
  auto it = obj.find(key);
  if (it == obj.end()) return decltype(read(*it, path))(MakeError(Field(path, key) + ": missing"));
  return read(*it, Field(path, key));
}

// The objects of list `key`, each read by `read(object, "key[i]")`.
template <typename T, typename Read>
Result<std::vector<T>> Objects(const Json& doc, const char* key, Read read) {
  FOREST_ASSIGN_OR_RETURN(const Json* list, Member(doc, "", key, Json::value_t::array, "a list"));
  std::vector<T> out;
  out.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    std::string at = Index(key, i);
    if (!(*list)[i].is_object()) return MakeError(at + ": expected an object");
    FOREST_ASSIGN_OR_RETURN(T x, read((*list)[i], at));
    out.push_back(std::move(x));
  }
  return out;
}

Result<ForestRoot> ReadRoot(const Json& r, const std::string& at) {
  ForestRoot root;
  FOREST_ASSIGN_OR_RETURN(root.name, Required(r, at, "name", NameAt));
  FOREST_ASSIGN_OR_RETURN(root.uplink, Required(r, at, "uplink", AddressAt));
  FOREST_ASSIGN_OR_RETURN(root.subtree, Required(r, at, "subtree", PrefixAt));
  FOREST_ASSIGN_OR_RETURN(root.published, BoolAt(r, at, "published"));
  return root;
}

Result<ForestNode> ReadNode(const Json& n, const std::string& at) {
  ForestNode node;
  FOREST_ASSIGN_OR_RETURN(node.name, Required(n, at, "name", NameAt));
  FOREST_ASSIGN_OR_RETURN(node.subtree, Required(n, at, "subtree", PrefixAt));
  FOREST_ASSIGN_OR_RETURN(node.next_hop, Required(n, at, "next_hop", AddressAt));
  FOREST_ASSIGN_OR_RETURN(node.ready, BoolAt(n, at, "ready"));
  return node;
}

Result<ForestName> ReadName(const Json& n, const std::string& at) {
  ForestName out;
  FOREST_ASSIGN_OR_RETURN(out.name, Required(n, at, "name", NameAt));
  FOREST_ASSIGN_OR_RETURN(const Json* addresses,
                          Member(n, at, "addresses", Json::value_t::array, "a list of IPv6 addresses"));
  for (size_t i = 0; i < addresses->size(); ++i) {
    FOREST_ASSIGN_OR_RETURN(net::Ipv6Address a, AddressAt((*addresses)[i], Index(Field(at, "addresses"), i)));
    out.addresses.push_back(a);
  }
  FOREST_ASSIGN_OR_RETURN(const Json* aliases,
                          Member(n, at, "aliases", Json::value_t::array, "a list of names"));
  for (size_t i = 0; i < aliases->size(); ++i) {
    FOREST_ASSIGN_OR_RETURN(std::string alias, NameAt((*aliases)[i], Index(Field(at, "aliases"), i)));
    out.aliases.push_back(std::move(alias));
  }
  return out;
}

Result<ForestReply> ReadForest(const Json& j) {
  ForestReply f;
  FOREST_ASSIGN_OR_RETURN(const Json* serial,
                          Member(j, "", "serial", Json::value_t::number_unsigned, "a zone serial"));
  if (serial->get<uint64_t>() > UINT32_MAX) return MakeError("serial: expected a zone serial");
  f.serial = static_cast<uint32_t>(serial->get<uint64_t>());
  FOREST_ASSIGN_OR_RETURN(f.roots, Objects<ForestRoot>(j, "roots", ReadRoot));
  FOREST_ASSIGN_OR_RETURN(f.nodes, Objects<ForestNode>(j, "nodes", ReadNode));
  FOREST_ASSIGN_OR_RETURN(f.names, Objects<ForestName>(j, "names", ReadName));
  return f;
}

}  // namespace

Result<SignRequest> ParseSignRequest(std::string_view body) {
  if (body.size() > kMaxSignRequestBytes) {
    return MakeError("request is " + std::to_string(body.size()) + " bytes; the limit is " +
                     std::to_string(kMaxSignRequestBytes));
  }
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError("request: expected a JSON object");
  SignRequest r;
  auto csr = j.find("csr");
  if (csr == j.end() || !csr->is_string()) return MakeError("csr: expected the PEM text of a CSR");
  r.csr_pem = csr->get<std::string>();
  auto paths = j.find("label_paths");
  if (paths == j.end() || !paths->is_array()) {
    return MakeError(
        "label_paths: expected a list of local label paths, e.g. [\"auth.app\"] (\"\" is the node itself)");
  }
  if (paths->size() > trust::kMaxLabelPaths) {
    return MakeError("label_paths: " + std::to_string(paths->size()) + " entries; the limit is " +
                     std::to_string(trust::kMaxLabelPaths));
  }
  for (size_t i = 0; i < paths->size(); ++i) {
    if (!(*paths)[i].is_string())
      return MakeError("label_paths[" + std::to_string(i) + "]: expected a string");
    r.label_paths.push_back((*paths)[i].get<std::string>());
  }
  if (auto c = j.find("client"); c != j.end()) {
    if (!c->is_boolean()) return MakeError("client: expected true or false");
    r.client = c->get<bool>();
  }
  return r;
}

std::string SerializeSignRequest(const SignRequest& r) {
  return Json{{"csr", r.csr_pem}, {"label_paths", r.label_paths}, {"client", r.client}}.dump();
}

Json ToJson(const SignReply& r) {
  return Json{{"certificate", r.certificate}, {"root", r.root},          {"serial", r.serial},
              {"caller", r.caller},           {"names", r.names},        {"withheld", r.withheld},
              {"not_before", r.not_before},   {"not_after", r.not_after}};
}

Result<SignReply> ParseSignReply(std::string_view body) {
  Json j = ParseObject(body);
  if (j.is_null()) return MakeError("the forest CA answered something unexpected (not a JSON object)");
  SignReply s;
  for (auto [key, field] :
       {std::pair{"certificate", &s.certificate}, {"root", &s.root}, {"serial", &s.serial}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return MakeError(std::string("the forest CA answered something unexpected (") + key +
                       ": expected a string)");
    }
    *field = it->get<std::string>();
  }
  if (auto it = j.find("caller"); it != j.end() && it->is_string()) s.caller = it->get<std::string>();
  if (!j.contains("names")) return MakeError("the forest CA answered something unexpected (names: missing)");
  if (Status st = Strings(j, "names", &s.names); !st.ok())
    return st.error().Wrap("the forest CA answered something unexpected");
  if (Status st = Strings(j, "withheld", &s.withheld); !st.ok()) {
    return st.error().Wrap("the forest CA answered something unexpected");
  }
  auto after = j.find("not_after");
  if (after == j.end() || !after->is_number_integer()) {
    return MakeError("the forest CA answered something unexpected (not_after: expected an integer)");
  }
  s.not_after = after->get<int64_t>();
  if (auto it = j.find("not_before"); it != j.end() && it->is_number_integer())
    s.not_before = it->get<int64_t>();
  return s;
}

Json ToJson(const PublishReply& r) {
  return Json{{"accepted", r.accepted}, {"changed", r.changed}, {"serial", r.serial}};
}

Result<PublishReply> ParsePublishReply(std::string_view body) {
  Json j = ParseObject(body);
  if (j.is_null()) return MakeError("publish reply: expected a JSON object");
  PublishReply r;
  auto accepted = j.find("accepted"), changed = j.find("changed"), serial = j.find("serial");
  if (accepted == j.end() || !accepted->is_boolean())
    return MakeError("publish reply: accepted: expected true or false");
  if (changed == j.end() || !changed->is_boolean())
    return MakeError("publish reply: changed: expected true or false");
  if (serial == j.end() || !serial->is_number_unsigned() || serial->get<uint64_t>() > UINT32_MAX) {
    return MakeError("publish reply: serial: expected a zone serial");
  }
  r.accepted = accepted->get<bool>();
  r.changed = changed->get<bool>();
  r.serial = static_cast<uint32_t>(serial->get<uint64_t>());
  return r;
}

Json ToJson(const ForestReply& f) {
  Json roots = Json::array(), nodes = Json::array(), names = Json::array();
  for (const auto& r : f.roots) {
    roots.push_back({{"name", r.name},
                     {"uplink", r.uplink.ToString()},
                     {"subtree", r.subtree.ToString()},
                     {"published", r.published}});
  }
  for (const auto& n : f.nodes) {
    nodes.push_back({{"name", n.name},
                     {"subtree", n.subtree.ToString()},
                     {"next_hop", n.next_hop.ToString()},
                     {"ready", n.ready}});
  }
  for (const auto& n : f.names) {
    Json addresses = Json::array();
    for (const auto& a : n.addresses) addresses.push_back(a.ToString());
    names.push_back({{"name", n.name}, {"addresses", addresses}, {"aliases", n.aliases}});
  }
  return {{"serial", f.serial}, {"roots", roots}, {"nodes", nodes}, {"names", names}};
}

Result<ForestReply> ParseForestReply(std::string_view body) {
  if (body.size() > kMaxForestReplyBytes) {
    return MakeError("forest view: " + std::to_string(body.size()) + " bytes; the limit is " +
                     std::to_string(kMaxForestReplyBytes));
  }
  Json j = ParseObject(body);
  if (j.is_null()) return MakeError("forest view: expected a JSON object");
  auto f = ReadForest(j);
  if (!f.ok()) return f.error().Wrap("forest view");
  return f;
}

Json ErrorJson(const std::string& message) { return Json{{"error", message}}; }

std::string ErrorMessage(std::string_view body) {
  Json j = ParseObject(body);
  if (!j.is_null()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(body);
}

}  // namespace forest::api

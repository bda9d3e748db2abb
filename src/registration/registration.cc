// Schema-1 wire format: parse (hostile input) and canonical serialisation.
#include "registration/registration.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

namespace forest::registration {
namespace {

using nlohmann::json;

// Deep enough for any forward-compatible extension, shallow enough that
// "[[[[…" cannot cost memory out of proportion.
constexpr size_t kMaxDepth = 32;
constexpr size_t kMaxAddressText = 64;
constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

// A SAX pass that checks syntax and nesting depth before any DOM is built,
// and keeps the parser's own error text (it carries line and column).
class SyntaxCheck final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return Enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    error_ = ex.what();
    // "[json.exception.parse_error.101] parse error at …": drop the tag.
    if (auto pos = error_.find("] "); error_.rfind("[json.exception", 0) == 0 && pos != std::string::npos) {
      error_ = error_.substr(pos + 2);
    }
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > kMaxDepth) {
      error_ = "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }
  size_t depth_ = 0;
  std::string error_;
};

Error FieldError(const std::string& path, const std::string& why) { return MakeError(path + ": " + why); }

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string Wanted(json::value_t type) {
  switch (type) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    default:
      return "an integer";
  }
}

// The member `key` of object `obj` with the expected JSON type, or an error
// naming `path.key`. An unsigned number counts as an integer.
Result<const json*> Member(const json& obj, const std::string& path, const char* key, json::value_t type) {
  std::string field = path.empty() ? key : path + "." + key;
  auto it = obj.find(key);
  if (it == obj.end()) return FieldError(field, "missing");
  bool ok = it->type() == type ||
            (type == json::value_t::number_integer && it->type() == json::value_t::number_unsigned);
  if (!ok) return FieldError(field, "expected " + Wanted(type) + ", got " + it->type_name());
  return &*it;
}

Result<const std::string*> StringMember(const json& obj, const std::string& path, const char* key) {
  FOREST_ASSIGN_OR_RETURN(const json* v, Member(obj, path, key, json::value_t::string));
  return v->get_ptr<const std::string*>();
}

// Address text is checked for its alphabet before it reaches inet_pton, so
// that an embedded NUL or junk after it can never be silently cut off.
Status CheckAddressText(const std::string& text) {
  if (text.size() > kMaxAddressText)
    return MakeError(naming::QuoteUntrusted(text) + " is too long for an address");
  for (char c : text) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
              c == '.' || c == '/';
    if (!ok) return MakeError(naming::QuoteUntrusted(text) + " is not an IPv6 address");
  }
  return {};
}

Result<net::Ipv6Address> AddressMember(const json& obj, const std::string& path, const char* key) {
  FOREST_ASSIGN_OR_RETURN(const std::string* text, StringMember(obj, path, key));
  std::string field = path + "." + key;
  if (auto s = CheckAddressText(*text); !s.ok()) return s.error().Wrap(field);
  if (text->find('/') != std::string::npos) {
    return FieldError(field, naming::QuoteUntrusted(*text) + " is a prefix; expected a single IPv6 address");
  }
  auto a = net::Ipv6Address::Parse(*text);
  if (!a.ok()) return FieldError(field, naming::QuoteUntrusted(*text) + " is not an IPv6 address");
  return *a;
}

Result<net::Ipv6Prefix> PrefixMember(const json& obj, const std::string& path, const char* key) {
  FOREST_ASSIGN_OR_RETURN(const std::string* text, StringMember(obj, path, key));
  std::string field = path + "." + key;
  if (auto s = CheckAddressText(*text); !s.ok()) return s.error().Wrap(field);
  auto p = net::Ipv6Prefix::Parse(*text);
  if (!p.ok()) return p.error().Wrap(field);
  return *p;
}

Result<std::string> NameMember(const json& obj, const std::string& path, const char* key) {
  FOREST_ASSIGN_OR_RETURN(const std::string* name, StringMember(obj, path, key));
  if (auto s = naming::ValidateName(*name); !s.ok()) return s.error().Wrap(path + "." + key);
  return *name;
}

Status CheckInterfaceName(const std::string& name) {
  if (name.empty() || name.size() > kMaxInterfaceName) {
    return MakeError(naming::QuoteUntrusted(name) + " is not an interface name (1.." +
                     std::to_string(kMaxInterfaceName) + " characters)");
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/' || c == ':') {
      return MakeError(naming::QuoteUntrusted(name) +
                       " is not an interface name (no spaces, '/', ':' or "
                       "control characters)");
    }
  }
  return {};
}

Result<Route> ParseRoute(const json& obj, const std::string& path) {
  FOREST_ASSIGN_OR_RETURN(const json* r, Member(obj, path, "route", json::value_t::object));
  std::string at = path.empty() ? "route" : path + ".route";
  Route route;
  FOREST_ASSIGN_OR_RETURN(route.subtree, PrefixMember(*r, at, "subtree"));
  FOREST_ASSIGN_OR_RETURN(route.next_hop, AddressMember(*r, at, "next_hop"));
  FOREST_ASSIGN_OR_RETURN(const json* ready, Member(*r, at, "ready", json::value_t::boolean));
  route.ready = ready->get<bool>();
  FOREST_ASSIGN_OR_RETURN(const std::string* ifname, StringMember(*r, at, "uplink_interface"));
  if (auto s = CheckInterfaceName(*ifname); !s.ok()) return s.error().Wrap(at + ".uplink_interface");
  route.uplink_interface = *ifname;
  return route;
}

Status CheckSchema(const json& doc) {
  auto it = doc.find("schema");
  const std::string speak = "this forestd speaks schema " + std::to_string(kSchema);
  if (it == doc.end()) return FieldError("schema", "missing; " + speak);
  std::string seen;
  if (it->is_number_unsigned()) {
    seen = std::to_string(it->get<uint64_t>());
  } else if (it->is_number_integer()) {
    seen = std::to_string(it->get<int64_t>());
  } else {
    std::string text = it->dump(-1, ' ', true, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 40) + "...";
    return FieldError("schema", text + " is not a schema number; " + speak);
  }
  if (seen != std::to_string(kSchema))
    return FieldError("schema", "schema " + seen + " is not supported; " + speak);
  return {};
}

Result<std::vector<Record>> ParseRecords(const json& doc, const Limits& limits) {
  FOREST_ASSIGN_OR_RETURN(const json* arr, Member(doc, "", "records", json::value_t::array));
  if (arr->size() > limits.max_records) {
    return FieldError("records", std::to_string(arr->size()) + " entries; the limit is " +
                                     std::to_string(limits.max_records));
  }
  std::vector<Record> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& r = (*arr)[i];
    std::string at = Index("records", i);
    if (!r.is_object()) return FieldError(at, std::string("expected an object, got ") + r.type_name());
    Record rec;
    FOREST_ASSIGN_OR_RETURN(rec.name, NameMember(r, at, "name"));
    FOREST_ASSIGN_OR_RETURN(rec.address, AddressMember(r, at, "address"));
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::vector<Descendant>> ParseDescendants(const json& doc, const Limits& limits) {
  std::vector<Descendant> out;
  if (!doc.contains("descendants")) return out;  // optional extension
  FOREST_ASSIGN_OR_RETURN(const json* arr, Member(doc, "", "descendants", json::value_t::array));
  if (arr->size() > limits.max_descendants) {
    return FieldError("descendants", std::to_string(arr->size()) + " entries; the limit is " +
                                         std::to_string(limits.max_descendants));
  }
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& d = (*arr)[i];
    std::string at = Index("descendants", i);
    if (!d.is_object()) return FieldError(at, std::string("expected an object, got ") + d.type_name());
    Descendant desc;
    FOREST_ASSIGN_OR_RETURN(desc.name, NameMember(d, at, "name"));
    FOREST_ASSIGN_OR_RETURN(desc.route, ParseRoute(d, at));
    out.push_back(std::move(desc));
  }
  return out;
}

json RouteJson(const Route& r) {
  return json{{"subtree", r.subtree.ToString()},
              {"next_hop", r.next_hop.ToString()},
              {"ready", r.ready},
              {"uplink_interface", r.uplink_interface}};
}

}  // namespace

Result<Export> Parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return MakeError("registration payload is " + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(limits.max_bytes));
  }
  SyntaxCheck check;
  if (!json::sax_parse(text, &check) || !check.error().empty()) {
    return MakeError("registration payload is not valid JSON: " +
                     (check.error().empty() ? std::string("rejected by the parser") : check.error()));
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return MakeError("registration payload is not valid JSON");
  if (!doc.is_object()) {
    return MakeError(std::string("registration payload: expected a JSON object, got ") + doc.type_name());
  }
  FOREST_TRY(CheckSchema(doc));

  Export e;
  e.schema = kSchema;
  FOREST_ASSIGN_OR_RETURN(const std::string* source, StringMember(doc, "", "source_node"));
  if (auto s = naming::ValidateLabel(*source); !s.ok()) return s.error().Wrap("source_node");
  e.source_node = *source;
  FOREST_ASSIGN_OR_RETURN(e.records, ParseRecords(doc, limits));
  FOREST_ASSIGN_OR_RETURN(e.route, ParseRoute(doc, ""));
  FOREST_ASSIGN_OR_RETURN(e.descendants, ParseDescendants(doc, limits));
  // Unknown top-level keys are ignored: a newer child may send more.
  return e;
}

void Normalize(Export& e) {
  std::sort(e.records.begin(), e.records.end());
  e.records.erase(std::unique(e.records.begin(), e.records.end()), e.records.end());
  std::sort(e.descendants.begin(), e.descendants.end());
  e.descendants.erase(std::unique(e.descendants.begin(), e.descendants.end()), e.descendants.end());
}

std::string Serialize(const Export& input) {
  Export e = input;
  Normalize(e);
  json records = json::array();
  for (const auto& r : e.records)
    records.push_back(json{{"name", r.name}, {"address", r.address.ToString()}});
  json doc{{"schema", e.schema},
           {"source_node", e.source_node},
           {"records", std::move(records)},
           {"route", RouteJson(e.route)}};
  if (!e.descendants.empty()) {
    json descendants = json::array();
    for (const auto& d : e.descendants)
      descendants.push_back(json{{"name", d.name}, {"route", RouteJson(d.route)}});
    doc["descendants"] = std::move(descendants);
  }
  // Object keys are kept sorted by nlohmann::json (std::map); invalid UTF-8
  // in a hand-built Export is replaced rather than thrown.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace forest::registration

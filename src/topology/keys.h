// The forest.yaml key table: every key declared once with its type, default,
// doc line and reader. The parser (ReadMap) and the reference
// (KeysReference) both walk these tables. Private to src/topology/.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "topology/reader.h"

namespace forest::topology::internal {

// A key of a map whose values are read into a `T`.
template <typename T>
struct Key {
  std::string_view name;
  std::string_view type;          // as shown in the reference
  std::string_view default_text;  // "" = none; rendered "required" when `required`
  std::string_view doc;           // one line
  Status (*read)(Reader&, const Field&, T&);
  bool required = false;
  bool roots_only = false;         // node keys valid on roots only
  std::string_view non_root_hint;  // why, for the error on a non-root
  // Renders the built-in default from a default-constructed target; when set,
  // it overrides default_text so defaults stay declared once (in Defaults()).
  std::string (*show_default)(const T&) = nullptr;
};

// The valid key closest to a misspelt one: within edit distance
// max(2, length/2), or a prefix of it ("child" → "children"); "" if none.
std::string SuggestKey(std::string_view word, const std::vector<std::string>& valid);

// Reads the map `f` into `target` through `keys`. Refuses a non-map, keys that
// are not plain strings, duplicate keys, unknown keys (with a did-you-mean and
// the list of valid keys), roots-only keys when `is_root` is false, and missing
// required keys. Records the position of every key path read.
template <typename T>
Status ReadMap(Reader& r, const Field& f, std::span<const Key<T>> keys, T& target, bool is_root = true) {
  auto usable = [&](const Key<T>& k) { return is_root || !k.roots_only; };
  std::vector<std::string> valid;
  for (const auto& k : keys)
    if (usable(k)) valid.emplace_back(k.name);
  if (!f.node.IsMap()) {
    return r.Fail(f, "expected a map with keys " + JoinComma(valid) + ", found " + Describe(f.node) +
                         (f.node.IsSequence() ? "; remove the \"- \" in front of the keys" : ""));
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& pair : f.node) {
    const YAML::Node& key_node = pair.first;
    const YAML::Node& value = pair.second;
    Field key_field{key_node, f.path, key_node.Mark()};
    FOREST_TRY(r.Visit(key_field, 2));
    if (!key_node.IsScalar() || key_node.Scalar().empty()) {
      return r.Fail(key_field, "a key must be a word, found " + Describe(key_node) +
                                   "; valid keys here: " + JoinComma(valid));
    }
    const std::string& name = key_node.Scalar();
    std::string path = f.path.empty() ? name : f.path + "." + name;
    Field value_field{value, path, value.IsNull() ? key_node.Mark() : value.Mark()};
    Field at_key{key_node, path, key_node.Mark()};
    if (!seen.insert(name).second) {
      return r.Fail(at_key, "the key " + Quote(name) + " appears twice in this map (first at line " +
                                std::to_string(r.MarkOf(path).line + 1) + "); keep one");
    }
    r.Remember(value_field);
    const Key<T>* key = nullptr;
    for (const auto& k : keys)
      if (k.name == name) key = &k;
    if (key != nullptr && !usable(*key)) {
      return r.Fail(at_key, Quote(name) + " is only valid on roots; " + std::string(key->non_root_hint));
    }
    if (key == nullptr) {
      std::string hint = SuggestKey(name, valid);
      return r.Fail(at_key, "unknown key " + Quote(name) +
                                (hint.empty() ? "; valid keys here: "
                                              : "; did you mean \"" + hint + "\"? Valid keys here: ") +
                                JoinComma(valid));
    }
    FOREST_TRY(key->read(r, value_field, target));
  }
  for (const auto& k : keys) {
    if (!k.required || !usable(k) || seen.count(k.name) > 0) continue;
    std::string path = f.path.empty() ? std::string(k.name) : f.path + "." + std::string(k.name);
    return r.FailAt(
        f.mark, path,
        "required key is missing; add \"" + std::string(k.name) + ":\" (" + std::string(k.doc) + ")");
  }
  return {};
}

// The top-level table: reads a whole document into `t` (whose defaults are
// already filled in).
Status ReadTopology(Reader& r, const Field& document, Topology& t);

}  // namespace forest::topology::internal

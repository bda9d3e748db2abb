#include "naming/names.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

namespace forest::naming {
namespace {

constexpr size_t kMaxLabelLength = 63;

bool IsLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Printable form of a byte for error messages: 'x', or \xHH for control and
// non-ASCII bytes, so hostile input never reaches a log raw.
std::string Printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("\\x") + kHex[u >> 4] + kHex[u & 0xf];
}

void AppendJoined(std::string& out, const std::vector<std::string>& labels, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    out += labels[i];
    out += '.';
  }
}

}  // namespace

std::string QuoteUntrusted(std::string_view text) {
  constexpr size_t kMax = 80;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7f && text[i] != '"' && text[i] != '\\') {
      out += text[i];
    } else {
      std::string p = Printable(text[i]);
      out += p.front() == '\'' ? std::string("\\") + text[i] : p;
    }
  }
  if (text.size() > kMax) out += "...";
  return out + "\"";
}

Status ValidateLabel(std::string_view label) {
  if (label.empty()) return MakeError("empty label");
  if (label.size() > kMaxLabelLength) {
    return MakeError("label " + QuoteUntrusted(label) + " is " + std::to_string(label.size()) +
                     " characters long; the limit is " + std::to_string(kMaxLabelLength));
  }
  for (size_t i = 0; i < label.size(); ++i) {
    char c = label[i];
    if (IsLabelChar(c)) continue;
    std::string why = (c >= 'A' && c <= 'Z') ? " (labels are lower-case)" : "";
    return MakeError("label " + QuoteUntrusted(label) + ": character " + Printable(c) + " at position " +
                     std::to_string(i) + " is not allowed; use a-z, 0-9 and '-'" + why);
  }
  if (label.front() == '-') return MakeError("label " + QuoteUntrusted(label) + " starts with '-'");
  if (label.back() == '-') return MakeError("label " + QuoteUntrusted(label) + " ends with '-'");
  return {};
}

Status ValidateName(std::string_view name) {
  if (name.empty()) return MakeError("empty name");
  if (name.size() > kMaxNameLength) {
    return MakeError("name " + QuoteUntrusted(name) + " is " + std::to_string(name.size()) +
                     " characters long; the limit is " + std::to_string(kMaxNameLength));
  }
  const std::string suffix = "." + std::string(kZone);
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return MakeError("name " + QuoteUntrusted(name) + " is not under ." + std::string(kZone));
  }
  std::string_view rest = name.substr(0, name.size() - suffix.size());
  size_t start = 0;
  while (true) {
    size_t dot = rest.find('.', start);
    std::string_view label =
        rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (auto s = ValidateLabel(label); !s.ok()) return s.error().Wrap("name " + QuoteUntrusted(name));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

std::vector<std::string> SplitLabels(std::string_view name) {
  std::vector<std::string> out;
  if (name.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      out.emplace_back(name.substr(start));
      return out;
    }
    out.emplace_back(name.substr(start, dot - start));
    start = dot + 1;
  }
}

std::string FoldName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsAtOrUnder(std::string_view name, std::string_view base) {
  if (base.empty()) return true;  // the DNS root holds every name
  if (name.size() == base.size()) return name == base;
  if (name.size() < base.size() + 1) return false;
  return name.substr(name.size() - base.size()) == base && name[name.size() - base.size() - 1] == '.';
}

const std::vector<std::string>& ReservedHelperLabels() {
  static const std::vector<std::string> kLabels = {"apt-cache", "forest-ca", "forest-dns", "images-cache"};
  return kLabels;
}

bool IsReservedLabel(std::string_view label) {
  const auto& labels = ReservedHelperLabels();
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

bool IsReservedName(std::string_view name) {
  const size_t suffix = kZone.size() + 1;
  if (name.size() <= suffix) return false;
  std::string_view zone = name.substr(name.size() - kZone.size());
  if (zone != kZone || name[name.size() - suffix] != '.') return false;
  return IsReservedLabel(name.substr(0, name.size() - suffix));
}

std::string ObjectName::Canonical() const {
  std::string out;
  AppendJoined(out, label_path, label_path.size());
  AppendJoined(out, chain, chain.size());
  return out + std::string(kZone);
}

std::vector<std::string> ObjectName::AliasCandidates() const {
  std::vector<std::string> out;
  if (chain.empty()) return out;
  out.reserve(chain.size());
  std::string prefix;
  AppendJoined(prefix, label_path, label_path.size());
  for (size_t j = 0; j < chain.size(); ++j) {
    out.push_back(prefix + std::string(kZone));
    prefix += chain[j];
    prefix += '.';
  }
  return out;
}

std::string NodeCanonicalName(const std::vector<std::string>& self_then_ancestors) {
  std::string out;
  AppendJoined(out, self_then_ancestors, self_then_ancestors.size());
  return out + std::string(kZone);
}

AliasTable ComputeAliases(const std::vector<ObjectName>& objects, std::vector<HeldBack> held_back) {
  std::sort(held_back.begin(), held_back.end());
  // Owners are identified by their canonical name, so duplicate objects count
  // once; owner ids are ranks in sorted order, so nothing depends on the input
  // order.
  std::vector<std::string> canonical(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) canonical[i] = objects[i].Canonical();
  std::vector<std::string> owners = canonical;
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());

  // Every claimed name is "<P>incus" where P is a prefix of the claimant's
  // canonical name ending in a dot (a candidate keeps the label path and the
  // nearest j chain labels). A claim is therefore a view into the owner's
  // canonical name: no string is built until an alias is published.
  struct Claim {
    std::string_view stem;  // the name without the trailing "incus"
    uint32_t owner;
    bool canonical;
  };
  std::vector<Claim> claims;
  claims.reserve(objects.size() * 3);
  for (size_t i = 0; i < objects.size(); ++i) {
    auto id =
        static_cast<uint32_t>(std::lower_bound(owners.begin(), owners.end(), canonical[i]) - owners.begin());
    std::string_view name = owners[id];
    claims.push_back({name.substr(0, name.size() - kZone.size()), id, true});
    size_t stem = 0;
    for (const auto& l : objects[i].label_path) stem += l.size() + 1;
    for (const auto& l : objects[i].chain) {
      std::string_view claim = name.substr(0, stem);
      if (held_back.empty() ||
          !std::binary_search(held_back.begin(), held_back.end(),
                              HeldBack{std::string(name), std::string(claim) + std::string(kZone)})) {
        claims.push_back({claim, id, false});
      }
      stem += l.size() + 1;
    }
  }
  // Grouping needs equal stems adjacent, not the names' own order.
  std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    return a.stem != b.stem ? a.stem < b.stem : a.owner < b.owner;
  });

  std::vector<std::pair<std::string, uint32_t>> published;  // alias, owner
  for (size_t i = 0; i < claims.size();) {
    size_t j = i;
    bool any_canonical = false;
    bool one_owner = true;
    for (; j < claims.size() && claims[j].stem == claims[i].stem; ++j) {
      any_canonical = any_canonical || claims[j].canonical;
      one_owner = one_owner && claims[j].owner == claims[i].owner;
    }
    if (!any_canonical && one_owner) {
      std::string alias = std::string(claims[i].stem) + std::string(kZone);
      if (!IsReservedName(alias)) published.emplace_back(std::move(alias), claims[i].owner);
    }
    i = j;
  }

  AliasTable table;
  std::sort(published.begin(), published.end());
  for (const auto& [alias, owner] : published) {
    table.alias_to_canonical.emplace_hint(table.alias_to_canonical.end(), alias, owners[owner]);
  }
  // Per owner, shortest first.
  std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
  });
  for (auto& [alias, owner] : published) {
    auto it = table.aliases_of.end();
    if (table.aliases_of.empty() || std::prev(it)->first != owners[owner]) {
      it = table.aliases_of.emplace_hint(it, owners[owner], std::vector<std::string>{});
    } else {
      --it;
    }
    it->second.push_back(std::move(alias));
  }
  return table;
}

}  // namespace forest::naming

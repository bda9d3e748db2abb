#include "helper/helper_state.h"

#include <algorithm>
#include <cstdint>

#include "naming/names.h"

namespace forest::helper {

namespace {

std::map<std::string, registration::Delegation> Delegations(const std::vector<RootSlot>& roots) {
  std::map<std::string, registration::Delegation> out;
  for (const auto& r : roots) out[r.delegation.child_label] = r.delegation;
  return out;
}

}  // namespace

HelperState::HelperState(std::vector<RootSlot> roots, net::Ipv6Address helper_address,
                         std::vector<net::Ipv6Prefix> reverse_zones, std::string roots_dir)
    : roots_(std::move(roots)),
      helper_address_(helper_address),
      reverse_zones_(std::move(reverse_zones)),
      roots_exports_(Delegations(roots_), std::move(roots_dir)) {
  Rebuild();
}

HelperState HelperState::FromPlan(const plan::Plan& plan, std::string roots_dir) {
  std::vector<RootSlot> roots;
  std::vector<net::Ipv6Prefix> reverse = {plan.host_bridge.Network(), plan.host_uplink_range};
  for (const auto& n : plan.nodes) {
    if (n.depth != 0) continue;
    roots.push_back({{n.label, n.canonical_name, n.prefix, n.uplink}});
    reverse.push_back(n.prefix);
  }
  return HelperState(std::move(roots), plan.helper_address, std::move(reverse), std::move(roots_dir));
}

Result<const RootSlot*> HelperState::RootForSource(std::string_view source) const {
  auto a = net::Ipv6Address::Parse(source);
  if (a.ok()) {
    for (const auto& r : roots_) {
      if (r.delegation.uplink == *a) return &r;
    }
  }
  return MakeError("caller " + naming::QuoteUntrusted(source) +
                   " is not the uplink of any root of this forest; only roots publish here");
}

const RootSlot* HelperState::RootByLabel(std::string_view label) const {
  for (const auto& r : roots_) {
    if (r.delegation.child_label == label) return &r;
  }
  return nullptr;
}

Result<bool> HelperState::Publish(const RootSlot& root, const registration::Export& e, Status* saved) {
  FOREST_ASSIGN_OR_RETURN(parent::ChildExports::Offered offered,
                          roots_exports_.Offer(root.delegation.child_label, e));
  if (saved) *saved = offered.saved;
  if (!offered.changed) return false;
  ++serial_;
  Rebuild();
  return true;
}

bool HelperState::Withdraw(std::string_view label) {
  if (!roots_exports_.Drop(std::string(label))) return false;
  ++serial_;
  Rebuild();
  return true;
}

std::vector<std::string> HelperState::Load(std::vector<std::string>* log) {
  parent::ChildExports::Loaded loaded = roots_exports_.Load();
  if (log) log->insert(log->end(), loaded.log.begin(), loaded.log.end());
  serial_ += static_cast<uint32_t>(loaded.labels.size());
  Rebuild();
  return loaded.labels;
}

void HelperState::SetSerial(uint32_t serial) {
  serial_ = serial;
  Rebuild();
}

uint32_t HelperState::StartSerial(std::optional<uint32_t> saved, int64_t now) {
  uint64_t from_clock = now > 0 ? static_cast<uint64_t>(now) : 1;
  uint64_t after_saved = saved ? uint64_t{*saved} + 1 : 1;
  return static_cast<uint32_t>(std::min<uint64_t>(std::max(from_clock, after_saved), UINT32_MAX));
}

std::string HelperState::SerialText(uint32_t serial) { return std::to_string(serial) + "\n"; }

Result<uint32_t> HelperState::ParseSerial(std::string_view text, const std::string& file) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return MakeError(file + ": expected the zone serial, a decimal number");
  }
  uint64_t v = std::stoull(std::string(text));
  if (v > UINT32_MAX) return MakeError(file + ": " + std::string(text) + " is above 4294967295");
  return static_cast<uint32_t>(v);
}

void HelperState::Rebuild() {
  std::vector<registration::Export> roots;
  for (const auto& [label, e] : roots_exports_.last_good()) roots.push_back(e);
  std::vector<registration::Record> helper_records;
  for (const auto& label : naming::ReservedHelperLabels()) {
    helper_records.push_back({label + "." + std::string(naming::kZone), helper_address_});
  }
  view_ = registration::ForestView::Build(roots, helper_records);
  dns::ZoneData d;
  d.serial = serial_;
  d.reverse_zones = reverse_zones_;
  for (const auto& [name, addresses] : view_.canonical()) d.names[name].v6 = addresses;
  for (const auto& [alias, canonical] : view_.aliases().alias_to_canonical) {
    auto it = view_.canonical().find(canonical);
    if (it != view_.canonical().end()) d.names[alias] = {it->second, {}, false};
  }
  zone_ = std::make_shared<const dns::Zone>(std::move(d), true);
}

api::ForestReply HelperState::Forest() const {
  api::ForestReply f;
  f.serial = serial_;
  for (const auto& r : roots_) {
    f.roots.push_back({r.delegation.child_canonical, r.delegation.uplink, r.delegation.subtree,
                       roots_exports_.last_good().count(r.delegation.child_label) > 0});
  }
  for (const auto& [name, n] : view_.nodes()) {
    f.nodes.push_back({name, n.route.subtree, n.route.next_hop, n.route.ready});
  }
  for (const auto& [name, addresses] : view_.canonical()) {
    api::ForestName entry{name, addresses, {}};
    if (auto it = view_.aliases().aliases_of.find(name); it != view_.aliases().aliases_of.end()) {
      entry.aliases = it->second;
    }
    f.names.push_back(std::move(entry));
  }
  return f;
}

}  // namespace forest::helper

// The helper's state (DESIGN.md, Upward publication / Downward DNS): the
// last valid export of each root, the merged forest view with the alias rule,
// and the DNS zone answered from memory. Pure; forestd persists and serves it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "dns/zone.h"
#include "plan/plan.h"
#include "registration/registration.h"

namespace forest::helper {

// What the outer host delegated to a root: the helper is the roots' parent.
struct RootSlot {
  registration::Delegation delegation;  // label, canonical, prefix, uplink /128
};

class HelperState {
 public:
  HelperState(std::vector<RootSlot> roots, net::Ipv6Address helper_address,
              std::vector<net::Ipv6Prefix> reverse_zones);
  static HelperState FromPlan(const plan::Plan& plan);

  // The root that may publish from `source` (its uplink /128); error otherwise.
  Result<const RootSlot*> RootForSource(std::string_view source) const;
  const RootSlot* RootByLabel(std::string_view label) const;

  // Validates a root's export against its delegation and keeps it; a rejected
  // export leaves the last good one in place. Returns whether anything changed.
  Result<bool> Publish(const RootSlot& root, const registration::Export& e);
  // Drops a root's export (its names go); false when there was none.
  bool Withdraw(std::string_view label);

  const registration::ForestView& view() const { return view_; }
  std::shared_ptr<const dns::Zone> zone() const { return zone_; }
  const std::map<std::string, registration::Export>& exports() const { return exports_; }
  uint32_t serial() const { return serial_; }
  // Sets the zone serial (before the saved exports are loaded again); every
  // accepted change adds one.
  void SetSerial(uint32_t serial);
  // The serial to start from after a restart: strictly above the saved one
  // and never below the clock (unix seconds), so that it only grows, in RFC
  // 1982 terms, across restarts even when the saved file is lost.
  static uint32_t StartSerial(std::optional<uint32_t> saved, int64_t now);
  // The serial file's text and its parser (an error names the file).
  static std::string SerialText(uint32_t serial);
  static Result<uint32_t> ParseSerial(std::string_view text, const std::string& file);

  // GET /v1/forest: nodes with their routes, names with addresses and the
  // aliases published for them, sorted.
  nlohmann::json ForestJson() const;

 private:
  void Rebuild();

  std::vector<RootSlot> roots_;
  net::Ipv6Address helper_address_;
  std::vector<net::Ipv6Prefix> reverse_zones_;
  std::map<std::string, registration::Export> exports_;  // root label → last valid export
  registration::ForestView view_;
  std::shared_ptr<const dns::Zone> zone_;
  uint32_t serial_ = 1;
};

}  // namespace forest::helper

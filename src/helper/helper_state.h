// The helper's state (DESIGN.md, Upward publication / Downward DNS): the
// last valid export of each root (the parent role, parent/child_exports.h:
// the helper is the roots' parent), the merged forest view with the alias
// rule, and the DNS zone answered from memory. Pure but for the roots'
// exports, saved in `roots_dir` when given one; forestd serves it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/helper_api.h"
#include "base/result.h"
#include "dns/zone.h"
#include "parent/child_exports.h"
#include "plan/plan.h"
#include "registration/registration.h"

namespace forest::helper {

// What the outer host delegated to a root: the helper is the roots' parent.
struct RootSlot {
  registration::Delegation delegation;  // label, canonical, prefix, uplink /128
};

class HelperState {
 public:
  // With `roots_dir`, each root's last good export is saved there
  // (<roots_dir>/<label>.json) and Load() reads them back.
  HelperState(std::vector<RootSlot> roots, net::Ipv6Address helper_address,
              std::vector<net::Ipv6Prefix> reverse_zones, std::string roots_dir = "");
  static HelperState FromPlan(const plan::Plan& plan, std::string roots_dir = "");

  // The root that may publish from `source` (its uplink /128); error otherwise.
  Result<const RootSlot*> RootForSource(std::string_view source) const;
  const RootSlot* RootByLabel(std::string_view label) const;

  // Validates a root's export against its delegation and keeps it (saved,
  // with a directory; `saved` says when that failed); a rejected export
  // leaves the last good one in place. Returns whether anything changed.
  Result<bool> Publish(const RootSlot& root, const registration::Export& e, Status* saved = nullptr);
  // Drops a root's export and its file (its names go); false when there was none.
  bool Withdraw(std::string_view label);
  // The saved exports, each checked again (after SetSerial; each adds one to
  // the serial). Files that fail the check are removed and said in `log`.
  std::vector<std::string> Load(std::vector<std::string>* log);

  const registration::ForestView& view() const { return view_; }
  std::shared_ptr<const dns::Zone> zone() const { return zone_; }
  const std::map<std::string, registration::Export>& exports() const { return roots_exports_.last_good(); }
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

  // GET /v1/forest: the roots, nodes with their routes, names with addresses
  // and the aliases published for them, sorted.
  api::ForestReply Forest() const;

 private:
  void Rebuild();

  std::vector<RootSlot> roots_;
  net::Ipv6Address helper_address_;
  std::vector<net::Ipv6Prefix> reverse_zones_;
  parent::ChildExports roots_exports_;  // root label → last valid export
  registration::ForestView view_;
  std::shared_ptr<const dns::Zone> zone_;
  uint32_t serial_ = 1;
};

}  // namespace forest::helper

// One node's half of upward publication (DESIGN.md, Upward publication):
// keeps the last valid export of each direct child, checks every newly
// pulled one against what this node delegated (reject whole, keep last
// good, say why), and merges its own records with the children's into the
// export it passes upward. Pure: the agent around it pulls and pushes.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "dns/zone.h"
#include "plan/plan.h"
#include "registration/registration.h"

namespace forest::node {

// Monotonic time in milliseconds, as the caller's clock reads it (the
// reconciler itself has no clock).
using Millis = std::chrono::milliseconds;

// What one round saw of a direct child.
struct ChildObservation {
  std::string label;
  bool exists = true;                 // false: the instance is gone
  bool running = true;                // false: it exists but does not run (stopped, frozen)
  std::optional<std::string> pulled;  // its export as pulled; nullopt: not pulled this round
  std::string pull_error;             // why a pull failed (the last good one stays, for a while)
};

struct Outcome {
  registration::Export exported;  // own records ∪ children's exports, canonical
  bool changed = false;           // differs from the previous round's export
  std::vector<std::string> log;   // accepted, rejected (with the reason), removed
  size_t rejected = 0;            // pulled exports refused this round
  std::vector<std::string> stored;   // children whose last good export is new this round
  std::vector<std::string> dropped;  // children whose names went (instance gone, or down too long)
  // When a child that is down now loses its names unless it answers first:
  // the caller runs a round then.
  std::optional<Millis> next_withdrawal;
};

// Names follow liveness: a child that does not run, or whose pulls fail, and
// has not answered for `liveness_bound` loses its names until it answers again.
inline constexpr Millis kDefaultLivenessBound{30000};

class Reconciler {
 public:
  // `self` must point into `plan`, which must outlive the reconciler.
  Reconciler(const plan::Plan& plan, const plan::NodePlan& self, Millis liveness_bound = kDefaultLivenessBound);

  // A delegation for each hierarchy-aware child in the plan.
  const std::map<std::string, registration::Delegation>& delegations() const { return delegations_; }

  // Restores a saved export of a child (checked like a pulled one).
  Status Restore(const std::string& label, std::string_view text);

  // `now` is the round's time on the caller's monotonic clock.
  Outcome Apply(const std::vector<registration::Record>& own_records,
                const std::vector<ChildObservation>& children, Millis now = Millis(0));

  const std::map<std::string, registration::Export>& children() const { return last_good_; }
  const registration::Export& exported() const { return exported_; }
  std::string exported_text() const { return registration::Serialize(exported_); }

 private:
  Result<registration::Export> Check(const std::string& label, std::string_view text) const;

  const plan::NodePlan& self_;
  Millis liveness_bound_;
  std::map<std::string, registration::Delegation> delegations_;  // child label → delegation
  std::map<std::string, registration::Export> last_good_;        // child label → last valid export
  std::map<std::string, Millis> alive_at_;                       // child label → its last answer (or first sight)
  std::set<std::string> reported_down_;                          // children whose down spell was logged
  registration::Export exported_;
  bool first_ = true;
};

// The names a node's forestd answers itself: its subtree's canonical names
// (everything else, aliases included, is forwarded upward).
dns::ZoneData NodeZone(const registration::Export& e, const plan::NodePlan& self);

}  // namespace forest::node

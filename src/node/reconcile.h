// One node's half of upward publication (DESIGN.md, Upward publication):
// its direct children's exports go through the parent role
// (parent/child_exports.h: checked against what this node delegated, refused
// whole, last good kept and saved), liveness decides when a child's names go,
// and its own records are merged with the children's into the export it
// passes upward. No clock and no network: the agent around it pulls and
// pushes; the only I/O is the last good exports' files, when given a directory.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dns/zone.h"
#include "parent/child_exports.h"
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
  std::vector<std::string> stored;   // children whose last good export is new this round (and saved)
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
  // `self` must point into `plan`, which must outlive the reconciler. With
  // `children_dir`, the children's last good exports are saved there.
  Reconciler(const plan::Plan& plan, const plan::NodePlan& self,
             Millis liveness_bound = kDefaultLivenessBound, std::string children_dir = "");

  // A delegation for each hierarchy-aware child in the plan.
  const std::map<std::string, registration::Delegation>& delegations() const {
    return children_.delegations();
  }

  // Restores a saved export of a child (checked like a pulled one).
  Status Restore(const std::string& label, std::string_view text) { return children_.Restore(label, text); }
  // Restores every export saved in `children_dir` (parent::ChildExports::Load).
  parent::ChildExports::Loaded Load() { return children_.Load(); }

  // `now` is the round's time on the caller's monotonic clock.
  Outcome Apply(const std::vector<registration::Record>& own_records,
                const std::vector<ChildObservation>& children, Millis now = Millis(0));

  const std::map<std::string, registration::Export>& children() const { return children_.last_good(); }
  const registration::Export& exported() const { return exported_; }
  std::string exported_text() const { return registration::Serialize(exported_); }

 private:
  const plan::NodePlan& self_;
  Millis liveness_bound_;
  parent::ChildExports children_;                                // delegations, last good exports
  std::map<std::string, Millis> alive_at_;                       // child label → its last answer (or first sight)
  std::set<std::string> reported_down_;                          // children whose down spell was logged
  registration::Export exported_;
  bool first_ = true;
};

// The names a node's forestd answers itself: its subtree's canonical names
// (everything else, aliases included, is forwarded upward).
dns::ZoneData NodeZone(const registration::Export& e, const plan::NodePlan& self);

}  // namespace forest::node

#include "node/reconcile.h"

#include <algorithm>

namespace forest::node {

Reconciler::Reconciler(const plan::Plan& plan, const plan::NodePlan& self, Millis liveness_bound)
    : self_(self), liveness_bound_(liveness_bound) {
  for (const auto& n : plan.nodes) {
    if (n.parent_canonical != self.canonical_name) continue;
    delegations_[n.label] = {n.label, n.canonical_name, n.prefix, n.uplink};
  }
  exported_.source_node = self.label;
}

Result<registration::Export> Reconciler::Check(const std::string& label, std::string_view text) const {
  auto d = delegations_.find(label);
  if (d == delegations_.end()) {
    return MakeError(label + " is not a hierarchy-aware child of " + self_.canonical_name + " in the plan");
  }
  FOREST_ASSIGN_OR_RETURN(registration::Export e, registration::Parse(text));
  if (e.source_node != label) {
    return MakeError("source_node: " + e.source_node + " is not " + label);
  }
  FOREST_TRY(registration::ValidateChildExport(e, d->second));
  registration::Normalize(e);
  return e;
}

Status Reconciler::Restore(const std::string& label, std::string_view text) {
  FOREST_ASSIGN_OR_RETURN(auto e, Check(label, text));
  last_good_[label] = std::move(e);
  return {};
}

Outcome Reconciler::Apply(const std::vector<registration::Record>& own_records,
                          const std::vector<ChildObservation>& children, Millis now) {
  Outcome out;
  for (const auto& c : children) {
    std::string name = delegations_.count(c.label) ? delegations_.at(c.label).child_canonical : c.label;
    if (!c.exists) {
      alive_at_.erase(c.label);
      reported_down_.erase(c.label);
      if (last_good_.erase(c.label)) {
        out.log.push_back(name + " is gone: its names are withdrawn");
        out.dropped.push_back(c.label);
      }
      continue;
    }
    // Liveness: not running, or a failed pull, means down; the bound counts
    // from the child's last answer (or from when this agent first saw it), so
    // a child is withdrawn at most one bound after it last spoke, whatever
    // the probe period. Not pulled this round says nothing.
    bool down = !c.running || (!c.pulled && !c.pull_error.empty());
    if (down) {
      Millis since = alive_at_.emplace(c.label, now).first->second;
      bool fresh = reported_down_.insert(c.label).second;
      if (last_good_.count(c.label)) {
        if (now - since >= liveness_bound_) {
          last_good_.erase(c.label);
          out.dropped.push_back(c.label);
          out.log.push_back(name + (c.running ? " has not answered" : " has not run") + " for " +
                            std::to_string((now - since).count() / 1000) +
                            " s: its names are withdrawn until it answers again");
        } else {
          Millis at = since + liveness_bound_;
          out.next_withdrawal = out.next_withdrawal ? std::min(*out.next_withdrawal, at) : at;
          if (fresh && !c.running) out.log.push_back(name + " does not run; its names stay until " +
                                                     std::to_string(liveness_bound_.count() / 1000) +
                                                     " s after its last answer");
        }
      }
    }
    if (!c.pulled) {
      if (!c.pull_error.empty()) {
        out.log.push_back("cannot pull the export of " + name + " (" + c.pull_error + ")" +
                          (last_good_.count(c.label) ? "; keeping its last good one" : ""));
      }
      continue;
    }
    alive_at_[c.label] = now;  // any answer, even a rejected export
    reported_down_.erase(c.label);
    auto e = Check(c.label, *c.pulled);
    if (!e.ok()) {
      ++out.rejected;
      out.log.push_back("export of " + name + " rejected" +
                        (last_good_.count(c.label) ? ", last good kept" : "") + ": " + e.error().message);
      continue;
    }
    auto it = last_good_.find(c.label);
    if (it == last_good_.end() || it->second != *e) {
      out.log.push_back("accepted export of " + name + ": " + std::to_string(e->records.size()) + " records");
      last_good_[c.label] = std::move(*e);
      out.stored.push_back(c.label);
    }
  }
  std::vector<registration::ChildExport> valid;
  for (const auto& [label, e] : last_good_) valid.push_back({delegations_.at(label), e});
  registration::Route route{self_.prefix, self_.uplink, true, "eth0"};
  registration::Export merged = registration::Merge(self_.label, own_records, route, valid);
  out.changed = first_ || merged != exported_;
  first_ = false;
  exported_ = std::move(merged);
  out.exported = exported_;
  return out;
}

dns::ZoneData NodeZone(const registration::Export& e, const plan::NodePlan& self) {
  dns::ZoneData z;
  z.ns_name = self.canonical_name;
  z.hostmaster = "hostmaster." + self.canonical_name;
  for (const auto& r : e.records) z.names[r.name].v6.push_back(r.address);
  for (auto& [name, entry] : z.names) {
    std::sort(entry.v6.begin(), entry.v6.end());
    entry.v6.erase(std::unique(entry.v6.begin(), entry.v6.end()), entry.v6.end());
  }
  z.reverse_zones = {self.prefix};
  return z;
}

}  // namespace forest::node
